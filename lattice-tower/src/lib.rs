//! lattice-tower
