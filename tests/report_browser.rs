//! The HTML report driven in Debian's headless Chromium over the DevTools protocol: what a
//! reviewer clicks and types filters the threat table, diagram elements list their threats,
//! attack paths light up on the diagram, and a large model's overview opens per-boundary
//! diagrams. Screenshots land in the test output directory (`target/tmp/`) for a person to look at.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use common::run;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

const TODAY: &str = "2026-11-23";

fn write_report(model: &str, out: &Path, extra: &[&str]) {
    let out = out.to_str().unwrap();
    let mut args = vec!["report", model, "--today", TODAY, "-o", out];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn threats(model: &str) -> Vec<Value> {
    let output = run(&["analyze", model, "--format", "json", "--today", TODAY]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["threats"].as_array().unwrap().clone()
}

/// Debian's chromium, headless, with none of its own network chatter (the machine has no network).
fn browser(profile: &Path) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from("/usr/bin/chromium")))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1400, 1000)))
        .user_data_dir(Some(profile.to_path_buf()))
        .args(args)
        .build()
        .unwrap();
    Browser::new(options).expect(
        "Debian's chromium must be installed for the report tests: bash .ci/install-deps test",
    )
}

fn open(browser: &Browser, page: &Path) -> std::sync::Arc<Tab> {
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("file://{}", page.display()))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab.wait_for_element("#threats").unwrap();
    tab
}

fn eval(tab: &Tab, expression: &str) -> Value {
    tab.evaluate(expression, false)
        .unwrap()
        .value
        .unwrap_or(Value::Null)
}

fn visible_rows(tab: &Tab) -> u64 {
    eval(
        tab,
        "Array.prototype.filter.call(document.querySelectorAll('#threats tbody tr'), r => r.offsetParent !== null).length",
    )
    .as_u64()
    .unwrap()
}

fn shown_counter(tab: &Tab) -> u64 {
    eval(tab, "Number(document.getElementById('shown').textContent)")
        .as_u64()
        .unwrap()
}

fn screenshot(tab: &Tab, name: &str) -> PathBuf {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, &png).unwrap();
    assert!(png.len() > 30_000, "screenshot {} is empty", path.display());
    path
}

fn clear(tab: &Tab) {
    tab.find_element("#clear").unwrap().click().unwrap();
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[test]
fn clicking_and_typing_filter_the_shop_report() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("shop.html");
    write_report("model/shop.yaml", &page, &[]);
    let threats = threats("model/shop.yaml");
    let browser = browser(&dir.path().join("profile"));
    let tab = open(&browser, &page);

    // One row per threat, all shown, and the script ran.
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('#threats tbody tr').length"
        )
        .as_u64(),
        Some(threats.len() as u64)
    );
    assert_eq!(visible_rows(&tab), threats.len() as u64);
    assert_eq!(
        eval(&tab, "document.documentElement.classList.contains('js')"),
        Value::Bool(true)
    );
    screenshot(&tab, "shop-report-top.png");
    matrix_cell_filters(&tab, &threats);
    search_filters(&tab, &threats);
    diagram_element_filters(&tab, &threats);
    attack_path_lights_up(&tab);
}

/// A matrix cell shows exactly the threats with that residual likelihood and impact.
fn matrix_cell_filters(tab: &Tab, threats: &[Value]) {
    let mut cells: Vec<(String, String, u64)> = Vec::new();
    for threat in threats {
        let key = (
            text(&threat["score"]["residual_likelihood"]),
            text(&threat["score"]["impact"]),
        );
        match cells
            .iter_mut()
            .find(|c| (c.0.as_str(), c.1.as_str()) == (&key.0, &key.1))
        {
            Some(cell) => cell.2 += 1,
            None => cells.push((key.0, key.1, 1)),
        }
    }
    cells.sort_by_key(|c| std::cmp::Reverse(c.2));
    let (likelihood, impact, expected) = cells[0].clone();
    assert!(expected < threats.len() as u64, "the cell must filter");
    tab.find_element(&format!(
        ".matrix button[data-likelihood='{likelihood}'][data-impact='{impact}']"
    ))
    .unwrap()
    .click()
    .unwrap();
    assert_eq!(visible_rows(tab), expected);
    assert_eq!(shown_counter(tab), expected);
    assert!(text(&eval(tab, "document.getElementById('focus').textContent")).contains(&likelihood));
    clear(tab);
    assert_eq!(visible_rows(tab), threats.len() as u64);
}

/// Typing in the search box keeps the rows whose text holds the words.
fn search_filters(tab: &Tab, threats: &[Value]) {
    let term = "webhook";
    let expected = threats
        .iter()
        .filter(|t| {
            let row = format!(
                "{} {} {} {}",
                text(&t["id"]),
                text(&t["stride"]),
                text(&t["element"]),
                text(&t["message"]).replace('`', "")
            );
            row.to_lowercase().contains(term)
        })
        .count() as u64;
    assert!(expected > 0 && expected < threats.len() as u64);
    tab.find_element("#search").unwrap().click().unwrap();
    tab.type_str(term).unwrap();
    assert_eq!(visible_rows(tab), expected);
    screenshot(tab, "shop-report-search.png");
    clear(tab);
}

/// Clicking an element of the diagram lists that element's threats; its badge says how many.
fn diagram_element_filters(tab: &Tab, threats: &[Value]) {
    let mut per_element: std::collections::BTreeMap<String, u64> =
        std::collections::BTreeMap::new();
    for threat in threats {
        *per_element.entry(text(&threat["element"])).or_default() += 1;
    }
    let (element, expected) = per_element
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(e, n)| (e.as_str(), *n))
        .unwrap();
    assert!(expected > 1);
    let class = text(&eval(
        tab,
        &format!("document.querySelector('#threats tr[data-element=\"{element}\"]').dataset.node"),
    ));
    assert!(class.starts_with("dfd-n"), "{class}");
    let badge = text(&eval(
        tab,
        &format!("document.querySelector('#main-diagram g.{class}').textContent"),
    ));
    assert!(badge.contains(&format!("{expected} threats")), "{badge}");
    tab.find_element(&format!("#main-diagram g.{class}"))
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(visible_rows(tab), expected);
    assert!(text(&eval(tab, "document.getElementById('focus').textContent")).contains(element));
    clear(tab);
}

/// "highlight" lights up every element and flow of the path, and dims the rest.
fn attack_path_lights_up(tab: &Tab) {
    let classes = text(&eval(
        tab,
        "document.querySelector('button.show-path').dataset.classes",
    ));
    let nodes = classes
        .split(' ')
        .filter(|c| c.starts_with("dfd-n"))
        .count();
    assert!(nodes >= 2, "{classes}");
    tab.find_element("button.show-path")
        .unwrap()
        .click()
        .unwrap();
    let lit_nodes = eval(
        tab,
        "document.querySelectorAll('#main-diagram g.node.hl').length",
    )
    .as_u64()
    .unwrap();
    assert_eq!(lit_nodes, nodes as u64);
    assert!(
        eval(
            tab,
            "document.querySelectorAll('#main-diagram g.edge.hl').length"
        )
        .as_u64()
        .unwrap()
            >= 1
    );
    assert_eq!(
        eval(
            tab,
            "document.getElementById('main-diagram').classList.contains('highlighting')"
        ),
        Value::Bool(true)
    );
    screenshot(tab, "shop-report-attack-path.png");
    tab.find_element("button.show-path")
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(
        eval(tab, "document.querySelectorAll('.diagram .hl').length").as_u64(),
        Some(0)
    );
}

#[test]
fn a_large_model_shows_boundaries_and_opens_each_one() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("large.yaml");
    let output = run(&[
        "generate",
        "--functions",
        "200",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let model = model.to_str().unwrap();
    let page = dir.path().join("large.html");
    write_report(model, &page, &[]);
    let threats = threats(model);
    let browser = browser(&dir.path().join("profile"));
    let tab = open(&browser, &page);
    let tab: &Tab = &tab;

    // The overview draws boundaries, not the hundreds of elements.
    let overview_nodes = eval(
        tab,
        "document.querySelectorAll('#main-diagram g.node').length",
    )
    .as_u64()
    .unwrap();
    let details = eval(
        tab,
        "document.querySelectorAll('details.boundary-detail').length",
    )
    .as_u64()
    .unwrap();
    assert!(details >= 4, "{details} boundary details");
    assert!(
        overview_nodes <= details + 4,
        "{overview_nodes} overview nodes"
    );
    assert_eq!(
        eval(
            tab,
            "document.querySelectorAll('#main-diagram g.dfd-n0').length"
        )
        .as_u64(),
        Some(0),
        "the overview must not draw elements"
    );

    // Clicking a boundary opens its diagram and lists the threats inside it.
    let boundary = text(&eval(
        tab,
        "document.querySelector('details.boundary-detail[data-boundary^=\"svc-\"]').dataset.boundary",
    ));
    let class = text(&eval(
        tab,
        &format!(
            "document.querySelector('details.boundary-detail[data-boundary=\"{boundary}\"]').dataset.class"
        ),
    ));
    tab.find_element(&format!("#main-diagram g.{class}"))
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(
        eval(
            tab,
            &format!("document.querySelector('details[data-boundary=\"{boundary}\"]').open")
        ),
        Value::Bool(true)
    );
    let expected = eval(
        tab,
        &format!("document.querySelectorAll('#threats tr[data-boundary=\"{boundary}\"]').length"),
    )
    .as_u64()
    .unwrap();
    assert!(expected > 0 && expected < threats.len() as u64);
    assert_eq!(visible_rows(tab), expected);
    assert!(
        eval(
            tab,
            &format!(
                "document.querySelectorAll('details[data-boundary=\"{boundary}\"] g.node').length"
            )
        )
        .as_u64()
        .unwrap()
            > 5
    );
    tab.find_element("#main-diagram")
        .unwrap()
        .scroll_into_view()
        .unwrap();
    screenshot(tab, "large-report-overview.png");
}

#[test]
fn bidi_overrides_show_as_markers_and_model_text_is_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("terminal.html");
    write_report("tests/fixtures/hostile/terminal.yaml", &page, &[]);
    let browser = browser(&dir.path().join("profile"));
    let tab = open(&browser, &page);

    // What a reviewer reads holds no override, only its marker, in the table and the diagram.
    let body = text(&eval(&tab, "document.body.innerText"));
    assert!(!body.contains('\u{202e}') && !body.contains('\u{1b}'));
    assert!(body.contains("::api⟨U+202E⟩gnp.exe"), "{body}");
    assert!(!text(&eval(&tab, "document.title")).contains('\u{202e}'));
    let svg = text(&eval(
        &tab,
        "document.querySelector('#main-diagram svg').textContent",
    ));
    assert!(svg.contains("variable=x]1⟨U+202E⟩ (untrusted)"), "{svg}");
    assert!(!svg.contains('\u{202e}'));

    // Every marker sits in model text that the browser isolates, and styled as a marker.
    let markers = eval(
        &tab,
        "(() => { const m = Array.from(document.querySelectorAll('.ctl')); \
           return JSON.stringify({ count: m.length, \
             isolated: m.filter(e => { const b = e.closest('bdi'); \
               return b && getComputedStyle(b).unicodeBidi === 'isolate'; }).length, \
             styled: m.filter(e => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)').length }); })()",
    );
    let markers: Value = serde_json::from_str(markers.as_str().unwrap()).unwrap();
    let count = markers["count"].as_u64().unwrap();
    assert!(count > 10, "{markers}");
    assert_eq!(markers["isolated"].as_u64(), Some(count), "{markers}");
    assert_eq!(markers["styled"].as_u64(), Some(count), "{markers}");
    // The threat table's element cells are isolated too, and keep their place: the override
    // does not reorder the row (the marker comes after `::api` in visual order as in the source).
    let cell = eval(
        &tab,
        "(() => { const c = Array.from(document.querySelectorAll('#threats tbody td:nth-child(4) bdi'))\
           .find(b => b.textContent.indexOf('gnp.exe') >= 0); \
           return c ? c.textContent : null; })()",
    );
    assert_eq!(text(&cell), "::api⟨U+202E⟩gnp.exe");

    // The element filter still matches rows whose element holds a marker.
    let shown = eval(
        &tab,
        "(() => { const s = document.querySelector('select[data-filter=element]'); \
           const o = Array.from(s.options).find(o => o.value.indexOf('gnp.exe') >= 0); \
           s.value = o.value; s.dispatchEvent(new Event('change')); \
           return Number(document.getElementById('shown').textContent); })()",
    );
    assert!(shown.as_u64().unwrap() >= 1, "{shown}");
    assert_eq!(visible_rows(&tab), shown.as_u64().unwrap());
    screenshot(&tab, "terminal-report.png");
}

/// The compliance section: a view per framework asked for, requirements no rule evidences say
/// so, and a threat listed under a requirement links to its details, which open.
#[test]
fn compliance_threats_link_to_their_opened_details() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("shop-compliance.html");
    write_report("model/shop.yaml", &page, &["--compliance", "pci-dss,gdpr"]);
    let browser = browser(&dir.path().join("profile"));
    let tab = open(&browser, &page);
    assert_eq!(
        eval(
            &tab,
            "document.querySelectorAll('#compliance .compliance-view').length"
        )
        .as_u64(),
        Some(2)
    );
    let not_assessed: Value = serde_json::from_str(&text(&eval(
        &tab,
        "JSON.stringify(Array.prototype.map.call(document.querySelectorAll('#compliance-pci-dss tr.req-not-assessed'), r => r.offsetParent !== null && r.cells[2].textContent))",
    )))
    .unwrap();
    let not_assessed = not_assessed.as_array().unwrap();
    assert!(!not_assessed.is_empty());
    assert!(
        not_assessed
            .iter()
            .all(|t| t.as_str() == Some("not assessed by strider")),
        "{not_assessed:?}"
    );
    let link = "#compliance-pci-dss a.threat-link";
    let href = text(&eval(
        &tab,
        &format!("document.querySelector('{link}').getAttribute('href')"),
    ));
    let id = text(&eval(
        &tab,
        &format!("document.querySelector('{link}').textContent"),
    ));
    assert!(
        href.starts_with("#detail-") && id.starts_with("STR-"),
        "{href} {id}"
    );
    assert_eq!(
        eval(&tab, &format!("document.querySelector('{href}').open")),
        Value::Bool(false)
    );
    tab.find_element(link).unwrap().click().unwrap();
    assert_eq!(
        eval(&tab, &format!("document.querySelector('{href}').open")),
        Value::Bool(true),
        "the threat's details open"
    );
    assert!(
        text(&eval(
            &tab,
            &format!("document.querySelector('{href} summary').textContent")
        ))
        .contains(&id),
        "the link leads to its own threat"
    );
    tab.find_element("#compliance")
        .unwrap()
        .scroll_into_view()
        .unwrap();
    screenshot(&tab, "shop-report-compliance.png");
}
