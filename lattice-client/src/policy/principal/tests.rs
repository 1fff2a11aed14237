//! Tests of `principal`.

use super::*;

const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc";

fn caller(arn: &str) -> ParsedCaller<'_> {
    ParsedCaller::new(Some(arn))
}

#[test]
fn parses_the_five_shapes() {
    assert_eq!(
        parse("arn:aws:iam::111122223333:root").map(|p| p.kind),
        Some(PrincipalKind::Root)
    );
    assert_eq!(
        parse("arn:aws:iam::111122223333:user/a/b/alice").map(|p| p.kind),
        Some(PrincipalKind::User)
    );
    assert_eq!(
        parse("arn:aws-cn:iam::111122223333:role/svc/orders").map(|p| p.kind),
        Some(PrincipalKind::Role { name: "orders" })
    );
    assert_eq!(
        parse(ROLE_SESSION).map(|p| p.kind),
        Some(PrincipalKind::AssumedRole {
            role: "orders-client"
        })
    );
    assert_eq!(
        parse("arn:aws:sts::111122223333:federated-user/bob").map(|p| p.kind),
        Some(PrincipalKind::FederatedUser)
    );
}

#[test]
fn rejects_other_arns() {
    for bad in [
        "",
        "arn:aws:iam::1111:root",
        "arn:aws:iam:us-east-1:111122223333:root",
        "arn:aws:s3:::bucket",
        "arn::iam::111122223333:root",
        "arn:aws:iam::111122223333:role/",
        "arn:aws:iam::111122223333:role/a//b",
        "arn:aws:iam::111122223333:role/*",
        "arn:aws:iam::111122223333:group/devs",
        "arn:aws:sts::111122223333:assumed-role/only-role",
        "arn:aws:sts::111122223333:assumed-role/r/s/extra",
        "arn:aws:sts::111122223333:federated-user/",
        "111122223333",
    ] {
        assert!(parse(bad).is_none(), "{bad}");
    }
}

#[test]
fn role_principal_matches_its_sessions_in_same_account_and_partition() {
    let role = PrincipalPattern::aws("arn:aws:iam::111122223333:role/team/orders-client")
        .unwrap_or(PrincipalPattern::Never);
    assert!(role.matches(&caller(ROLE_SESSION)));
    assert!(role.matches(&caller("arn:aws:iam::111122223333:role/team/orders-client")));
    assert!(!role.matches(&caller(
        "arn:aws:sts::444455556666:assumed-role/orders-client/x"
    )));
    assert!(!role.matches(&caller(
        "arn:aws-cn:sts::111122223333:assumed-role/orders-client/x"
    )));
    assert!(!role.matches(&caller(
        "arn:aws:sts::111122223333:assumed-role/orders-client2/x"
    )));
    assert!(!role.matches(&ParsedCaller::Anonymous));
}

#[test]
fn account_principal_matches_every_signed_principal_of_the_account() {
    for spec in ["111122223333", "arn:aws:iam::111122223333:root"] {
        let p = PrincipalPattern::aws(spec).unwrap_or(PrincipalPattern::Never);
        assert!(p.matches(&caller(ROLE_SESSION)), "{spec}");
        assert!(
            p.matches(&caller("arn:aws:iam::111122223333:user/alice")),
            "{spec}"
        );
        assert!(
            p.matches(&caller("arn:aws:iam::111122223333:root")),
            "{spec}"
        );
        assert!(
            p.matches(&caller("arn:aws:sts::111122223333:federated-user/bob")),
            "{spec}"
        );
        assert!(
            !p.matches(&caller("arn:aws:iam::444455556666:user/alice")),
            "{spec}"
        );
        assert!(!p.matches(&ParsedCaller::Anonymous), "{spec}");
        assert!(!p.matches(&caller("not-an-arn")), "{spec}");
    }
}

#[test]
fn exact_principals_and_everyone() {
    let user = PrincipalPattern::aws("arn:aws:iam::111122223333:user/alice")
        .unwrap_or(PrincipalPattern::Never);
    assert!(user.matches(&caller("arn:aws:iam::111122223333:user/alice")));
    assert!(!user.matches(&caller("arn:aws:iam::111122223333:user/alicia")));
    let session = PrincipalPattern::aws(ROLE_SESSION).unwrap_or(PrincipalPattern::Never);
    assert!(session.matches(&caller(ROLE_SESSION)));
    assert!(!session.matches(&caller(
        "arn:aws:sts::111122223333:assumed-role/orders-client/other"
    )));
    assert!(PrincipalPattern::Everyone.matches(&ParsedCaller::Anonymous));
    assert!(PrincipalPattern::Everyone.matches(&caller("garbage")));
    assert!(!PrincipalPattern::Never.matches(&caller(ROLE_SESSION)));
    assert!(PrincipalPattern::aws("arn:aws:iam::111122223333:role/*").is_none());
}

#[test]
fn derived_keys() {
    let c = caller(ROLE_SESSION);
    assert_eq!(c.principal_type(), Some("AssumedRole"));
    assert_eq!(c.principal_account(), Some("111122223333"));
    assert_eq!(
        c.principal_arn().as_deref(),
        Some("arn:aws:iam::111122223333:role/orders-client")
    );
    let c = caller("arn:aws:iam::111122223333:user/alice");
    assert_eq!(c.principal_type(), Some("User"));
    assert_eq!(
        c.principal_arn().as_deref(),
        Some("arn:aws:iam::111122223333:user/alice")
    );
    assert_eq!(
        caller("arn:aws:iam::111122223333:root").principal_type(),
        Some("Account")
    );
    assert_eq!(
        caller("arn:aws:sts::111122223333:federated-user/b").principal_type(),
        Some("FederatedUser")
    );
    assert_eq!(ParsedCaller::Anonymous.principal_type(), Some("Anonymous"));
    assert_eq!(ParsedCaller::Anonymous.principal_arn(), None);
    assert_eq!(ParsedCaller::Anonymous.principal_account(), None);
    assert_eq!(caller("nope").principal_type(), None);
}
