//! The binary as a user runs it: clear errors with a non-zero exit.

use std::process::Command;

fn insight_desk(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insight-desk"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run insight-desk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn an_unknown_metric_suggests_the_closest_names() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(insight_desk(dir.path()).args(["query", "revnue"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("unknown metric \"revnue\": did you mean revenue"),
        "{err}"
    );
}

#[test]
fn a_bad_date_is_refused_with_the_expected_format() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) =
        run(insight_desk(dir.path()).args(["report", "cockpit", "--date", "2026-02-30"]));
    assert_ne!(code, 0);
    assert!(err.contains("expected YYYY-MM-DD"), "{err}");
}

#[test]
fn a_bad_configuration_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("insight-desk.toml"),
        "timezone = \"Mars/Olympus\"\n",
    )
    .unwrap();
    let (code, _, err) = run(insight_desk(dir.path()).args(["metrics"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("invalid configuration") && err.contains("Mars/Olympus"),
        "{err}"
    );

    let (code, _, err) =
        run(insight_desk(dir.path()).args(["--config", "missing.toml", "metrics"]));
    assert_ne!(code, 0);
    assert!(err.contains("missing.toml not found"), "{err}");
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(insight_desk(dir.path())
        .env("DATABASE_URL", "mysql://u:secret@h/db")
        .args(["migrate"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("must start with sqlite:// or postgres://"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[test]
fn the_catalogue_lists_every_metric() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(insight_desk(dir.path()).args(["--lang", "en", "metrics"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("revenue") && out.contains("Gross margin") && out.contains("19 metrics"),
        "{out}"
    );
}
