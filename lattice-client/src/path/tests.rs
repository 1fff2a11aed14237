use std::borrow::Cow;

use proptest::prelude::*;

use super::{PathError, normalize};

fn ok(path: &str) -> String {
    normalize(path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
        .into_owned()
}

#[test]
fn every_spelling_of_admin_is_admin() {
    for path in [
        "/admin",
        "//admin",
        "/./admin",
        "/public/../admin",
        "/%61dmin",
        "/%61%64%6D%69%6e",
        "/%2e/admin",
        "/public/%2E%2E/admin",
        "///public//..//admin",
        "/a/b/c/../../../admin",
    ] {
        assert_eq!(ok(path), "/admin", "{path:?}");
    }
}

#[test]
fn rfc_3986_dot_segment_examples() {
    // RFC 3986 §5.2.4 and §5.4, on absolute paths.
    for (path, want) in [
        ("/a/b/c/./../../g", "/a/g"),
        ("/mid/content=5/../6", "/mid/6"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/a/b/./", "/a/b/"),
        ("/a/..", "/"),
        ("/.", "/"),
        ("/", "/"),
        ("", "/"),
        ("/a//", "/a/"),
        ("/a/", "/a/"),
        ("/a/.b/..c/...", "/a/.b/..c/..."),
    ] {
        assert_eq!(ok(path), want, "{path:?}");
    }
}

#[test]
fn escapes_of_unreserved_characters_are_decoded_and_others_upper_cased() {
    for (path, want) in [
        ("/%7euser", "/~user"),
        ("/%41%5a%30%2D%5F%2e", "/AZ0-_."),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/a%20b", "/a%20b"),
        ("/100%25", "/100%25"),
        ("/%3f%23", "/%3F%23"),
        // `%25` stays an escape, so decoding never creates a new one.
        ("/%2561", "/%2561"),
    ] {
        assert_eq!(ok(path), want, "{path:?}");
    }
}

#[test]
fn normal_paths_are_borrowed() {
    for path in ["/", "/orders/42", "/a/", "/pkg.Svc/Method", "/a%20b"] {
        let out = normalize(path).expect("normal");
        assert!(matches!(out, Cow::Borrowed(_)), "{path:?} was copied");
        assert_eq!(out, path);
    }
}

#[test]
fn paths_without_a_normal_form_are_refused() {
    for path in [
        "/..",
        "/../admin",
        "/a/../../b",
        "/%2e%2e/admin",
        "/a/%2E./..",
    ] {
        assert!(
            matches!(normalize(path), Err(PathError::AboveRoot { .. })),
            "{path:?}"
        );
    }
    for path in ["/%2Fadmin", "/a%2fb", "/x/%2F"] {
        assert!(
            matches!(normalize(path), Err(PathError::EncodedSlash { .. })),
            "{path:?}"
        );
    }
    for (path, at) in [
        ("/%zz", 1),
        ("/a%4", 2),
        ("/a%", 2),
        ("/%41%g1", 4),
        ("/é%", 3),
    ] {
        assert_eq!(
            normalize(path),
            Err(PathError::InvalidEscape {
                path: path.to_owned(),
                at
            }),
            "{path:?}"
        );
    }
    for path in ["*", "orders/42", "%2F"] {
        assert!(
            matches!(normalize(path), Err(PathError::NotAbsolute { .. })),
            "{path:?}"
        );
    }
}

#[test]
fn errors_name_the_path_and_the_fix_on_one_line() {
    let err = normalize("/../admin").expect_err("above the root");
    let text = err.to_string();
    assert!(text.contains("`/../admin`"), "{text}");
    assert!(text.contains("remove the extra `..`"), "{text}");
    let long = format!("/{}%zz", "a".repeat(1000));
    let text = normalize(&long).expect_err("bad escape").to_string();
    assert!(text.len() < 400, "{text}");
    assert!(!text.contains('\n'));
}

proptest! {
    #[test]
    fn never_panics(path in any::<String>()) {
        let _ = normalize(&path);
    }

    #[test]
    fn idempotent_and_normal(path in "/[a%/.2eEfF0-9A~é]{0,40}") {
        if let Ok(once) = normalize(&path) {
            let twice = normalize(&once).expect("a normal path normalises");
            prop_assert!(matches!(twice, Cow::Borrowed(_)), "{once:?} → {twice:?}");
            prop_assert_eq!(&*twice, &*once);
            prop_assert!(once.starts_with('/'));
            prop_assert!(!once.contains("//"), "{}", once);
            prop_assert!(once.split('/').all(|s| s != "." && s != ".."), "{}", once);
        }
    }

    #[test]
    fn segments_without_dots_or_escapes_are_kept(
        segments in proptest::collection::vec("[a-zA-Z0-9_~-]{1,8}", 0..6),
        slash in any::<bool>(),
    ) {
        let mut path = format!("/{}", segments.join("/"));
        if slash && !segments.is_empty() {
            path.push('/');
        }
        prop_assert_eq!(normalize(&path).expect("normal"), path.clone());
    }
}
