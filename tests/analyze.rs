//! `strider analyze` on the bundled shop: the reports users read (snapshots), byte-identical on
//! repeated runs, and `--fail-on` exit codes for CI.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

/// Runs strider; `analyze` always reviews acceptances on a fixed date, so snapshots do not
/// change when the shop's acceptance falls due.
fn strider(args: &[&str]) -> std::process::Output {
    let mut args = args.to_vec();
    if args.first() == Some(&"analyze") && !args.contains(&"--today") {
        args.extend(["--today", "2026-11-23"]);
    }
    common::run(&args)
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stderr)))
}

/// The ids of a JSON report's threats, or of a diff's changes under `key`.
fn ids<'a>(report: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect()
}

#[test]
fn shop_reports_are_stable() {
    for (format, name) in [
        ("table", "shop_table"),
        ("json", "shop_json"),
        ("sarif", "shop_sarif"),
    ] {
        let first = strider(&["analyze", "model/shop.yaml", "--format", format]);
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let second = strider(&["analyze", "model/shop.yaml", "--format", format]);
        assert_eq!(
            first.stdout, second.stdout,
            "{format} output differs between runs"
        );
        insta::assert_snapshot!(name, String::from_utf8(first.stdout).unwrap());
    }
}

#[test]
fn shop_finds_what_an_architect_would_act_on() {
    let output = strider(&["analyze", "model/shop.yaml", "--format", "json"]);
    let report = json(&output);
    let ids = ids(&report, "threats");
    for expected in [
        "STR-001@admin-export/admin-url",
        "STR-001@payment-webhook/payment-webhook-url",
        "STR-002@process-upload/uploads-bucket",
        "STR-003@admin-export/dynamodb:*@*",
        "STR-004@fulfil-order",
        "STR-005@payment-webhook/WEBHOOK_SIGNING_SECRET",
        "STR-007@product-images-bucket",
        "STR-008@invoices-bucket",
        "STR-021@email-queue",
        "STR-017@send-email/email-service",
        "STR-015@send-email",
        "STR-012@admin-export",
        "STR-011@process-upload",
        "STR-011@admin-export",
    ] {
        assert!(ids.contains(&expected), "missing {expected} in {ids:?}");
    }
    // Well-configured parts stay quiet.
    assert!(
        !ids.iter().any(|id| id.starts_with("STR-006@place-order")),
        "place-order has reserved concurrency"
    );
    assert!(
        !ids.iter().any(|id| id.starts_with("STR-002@place-order")),
        "place-order validates its input"
    );
    assert!(ids.len() <= 70, "a short list, not {}", ids.len());
    // The accepted public bucket is tracked, not dropped.
    let bucket = report["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "STR-007@product-images-bucket")
        .unwrap();
    assert_eq!(bucket["tracking"]["status"], "accepted");
    assert_eq!(report["unmatched_tracking"], serde_json::json!([]));
}

#[test]
fn fail_on_exits_1_only_for_untracked_threats_at_or_above_the_threshold() {
    let failing = strider(&["analyze", "model/shop.yaml", "--fail-on", "high"]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failing.stderr).contains("at or above high"));
    let quiet = strider(&["analyze", "tests/fixtures/clean.yaml", "--fail-on", "low"]);
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
    let invalid = strider(&[
        "analyze",
        "tests/fixtures/invalid/unknown-key.yaml",
        "--fail-on",
        "low",
    ]);
    assert_eq!(invalid.status.code(), Some(2));
}

#[test]
fn diff_shows_added_removed_and_rescored_threats_by_id() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("model/schemas").unwrap() {
        let entry = entry.unwrap();
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("schemas").join(entry.file_name()),
        )
        .unwrap();
    }
    // The same model with both function URLs requiring IAM.
    let fixed = std::fs::read_to_string("model/shop.yaml")
        .unwrap()
        .replace("\n    auth: none\n", "\n    auth: iam\n")
        // The copy lives elsewhere: point at the handler crate from there.
        .replace(
            "crate: ../examples/shop-handlers",
            &format!(
                "crate: {}",
                std::fs::canonicalize("examples/shop-handlers")
                    .unwrap()
                    .display()
            ),
        );
    let fixed_path = dir.path().join("shop.yaml");
    std::fs::write(&fixed_path, fixed).unwrap();
    let fixed_path = fixed_path.to_str().unwrap();

    let same = strider(&["diff", "model/shop.yaml", "model/shop.yaml"]);
    assert_eq!(
        String::from_utf8(same.stdout).unwrap(),
        "0 added, 0 removed, 0 re-scored\n"
    );

    let better = strider(&[
        "diff",
        "model/shop.yaml",
        fixed_path,
        "--fail-on",
        "high",
        "--format",
        "json",
    ]);
    assert_eq!(
        better.status.code(),
        Some(0),
        "fixing threats does not fail the build"
    );
    let report = json(&better);
    let removed = ids(&report, "removed");
    for fixed in [
        "STR-001@admin-export/admin-url",
        "STR-001@payment-webhook/payment-webhook-url",
    ] {
        assert!(removed.contains(&fixed), "{fixed} not removed: {removed:?}");
    }
    assert!(report["added"].as_array().unwrap().is_empty());
    assert!(
        report["changed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["before"].as_str() > Some("") && c["after"] != c["before"])
    );

    let worse = strider(&["diff", fixed_path, "model/shop.yaml", "--fail-on", "high"]);
    assert_eq!(
        worse.status.code(),
        Some(1),
        "re-opening the URLs adds critical threats"
    );
    assert!(
        String::from_utf8(worse.stdout)
            .unwrap()
            .starts_with("+ critical STR-001@admin-export/admin-url")
    );
}

#[test]
fn attack_paths_and_blast_radius_show_how_attackers_reach_data() {
    let output = strider(&["analyze", "model/shop.yaml", "--format", "json"]);
    let report = json(&output);
    // One row per sensitive store, each with the nearest entry groups' shortest paths.
    let paths: Vec<Vec<&str>> = report["attack_paths"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["routes"].as_array().unwrap())
        .map(|r| {
            r["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap())
                .collect()
        })
        .collect();
    // The unauthenticated admin export reaches every customer profile in three steps.
    assert!(
        paths.contains(&vec![
            "back-office",
            "admin-url",
            "admin-export",
            "customers-table"
        ]),
        "{paths:#?}"
    );
    // Card data is reachable from the internet, and every path starts at an untrusted principal.
    assert!(
        report["attack_paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["target"] == "payments-db"
                && p["classification"] == "restricted"
                && p["entries"] == 4)
    );
    for path in &paths {
        assert!(
            ["customer", "visitor", "back-office", "payment-gateway"].contains(&path[0]),
            "{path:?}"
        );
    }
    // Shortest: no path visits an element twice.
    for path in &paths {
        let unique: std::collections::BTreeSet<_> = path.iter().collect();
        assert_eq!(unique.len(), path.len(), "{path:?}");
    }
    let radius = report["blast_radius"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"] == "admin-export")
        .unwrap();
    assert_eq!(
        radius["reads"],
        serde_json::json!(["customers-table", "orders-table"])
    );
    assert_eq!(radius["starts"], serde_json::json!(["send-email"]));
    assert_eq!(radius["worst"], "confidential");
    let fulfil = report["blast_radius"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"] == "fulfil-order")
        .unwrap();
    assert_eq!(
        fulfil["worst"], "restricted",
        "fulfil-order writes the payments database"
    );
}

#[test]
fn acceptances_past_their_review_date_count_as_undecided() {
    let on_time = strider(&[
        "analyze",
        "model/shop.yaml",
        "--format",
        "json",
        "--fail-on",
        "medium",
    ]);
    let overdue = strider(&[
        "analyze",
        "model/shop.yaml",
        "--format",
        "json",
        "--fail-on",
        "medium",
        "--today",
        "2027-06-01",
    ]);
    assert!(
        String::from_utf8_lossy(&overdue.stderr)
            .contains("`STR-007@product-images-bucket` was due for review on 2027-03-31")
    );
    assert!(!String::from_utf8_lossy(&on_time.stderr).contains("due for review"));
    let report = json(&overdue);
    let bucket = report["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "STR-007@product-images-bucket")
        .unwrap();
    assert_eq!(bucket["tracking"]["expired"], true);
    let untracked = |r: &std::process::Output| json(r)["summary"]["untracked"].as_u64().unwrap();
    assert_eq!(untracked(&overdue), untracked(&on_time) + 1);
    let bad = strider(&["analyze", "model/shop.yaml", "--today", "tomorrow"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The JSON report of a generated model, and its attack-path rows.
fn generated_report(shape: strider::generate::Shape, functions: usize, actors: usize) -> Vec<u8> {
    let yaml = strider::generate::synthetic_model_of(shape, functions, actors);
    let model = strider::model::load_bytes(std::path::Path::new("chain.yaml"), yaml.as_bytes())
        .unwrap()
        .model;
    strider::report::json::render(&strider::assessment::analyze(&model))
}

#[test]
fn many_entries_before_a_long_chain_give_output_linear_in_the_model() {
    // Every actor reaches every table through the whole chain: listing each (entry, store) path
    // grew as actors × tables × chain length, and each threat's attacker path with the chain.
    let small = generated_report(strider::generate::Shape::Chain, 40, 40);
    let large = generated_report(strider::generate::Shape::Chain, 160, 160);
    // 4× the model: at most 4.6× the report (it was 64× and more).
    assert!(
        large.len() * 10 < small.len() * 46,
        "{} → {} bytes",
        small.len(),
        large.len()
    );
    let report: serde_json::Value = serde_json::from_slice(&large).unwrap();
    let paths = report["attack_paths"].as_array().unwrap();
    assert_eq!(paths.len(), 160, "one row per sensitive table");
    for path in paths {
        assert_eq!(path["entries"], 160, "{path}");
        let routes = path["routes"].as_array().unwrap();
        assert_eq!(
            routes.len(),
            1,
            "the actors share their first hop: one group"
        );
        assert_eq!(routes[0]["alike"], 159);
        assert!(routes[0]["path"].as_array().unwrap().len() <= strider::graph::paths::SHOWN);
    }
    for threat in report["threats"].as_array().unwrap() {
        assert!(threat["path"].as_array().unwrap().len() <= strider::graph::paths::SHOWN);
    }
}
