//! One module per subcommand.

pub(crate) mod call;
pub(crate) mod completions;
pub(crate) mod event;
pub(crate) mod fake;
pub(crate) mod name;
pub(crate) mod policy;
pub(crate) mod probe;
pub(crate) mod sign;
