//! Every main page passes axe-core (the npm package pinned in package-lock.json) with no
//! serious or critical violation, in light and dark mode, at 1280 px and at 390 px, and none
//! of them scrolls sideways at either width. Runs in headless Chromium on the rule walks'
//! world (items, links, check-ins, cycles, a report, a webhook).

use crate::browser::Chrome;
use crate::walk_world::walk_world;

/// The checker, read from the package build.rs installed.
fn axe_source() -> String {
    std::fs::read_to_string(env!("AXE_CORE_JS")).expect("axe-core is installed by build.rs")
}

const RUN_AXE: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then((r) => done(
  r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | ')}`)
), (e) => done([`axe failed: ${e}`]));";

#[tokio::test]
async fn every_main_page_passes_axe_and_fits_in_light_and_dark_at_1280_and_390() {
    let (w, items) = walk_world().await;
    let org = format!("/orgs/{}", w.org);
    let ws = w.base();
    let member = w.app.user_id("member@example.com");
    let pages = [
        "/".to_owned(),
        format!("{org}/settings"),
        format!("{org}/members"),
        format!("{org}/invites"),
        format!("{org}/cycles"),
        "/account/tokens".to_owned(),
        "/account".to_owned(),
        "/notifications".to_owned(),
        ws.clone(),
        format!("{ws}/board"),
        format!("{ws}/gantt"),
        format!("{ws}/items/{}", items.action),
        format!("{ws}/items/{}", items.key_result),
        format!("{ws}/trash"),
        format!("{ws}/activity"),
        format!("{ws}/members"),
        format!("{ws}/members/{member}"),
        format!("{ws}/skills"),
        format!("{ws}/reports"),
        format!("{ws}/settings"),
    ];
    let axe = axe_source();
    let mut problems = Vec::new();
    for (mode, switches) in [
        ("light", &[][..]),
        (
            "dark",
            &[
                "--force-dark-mode",
                "--blink-settings=preferredColorScheme=0",
            ][..],
        ),
    ] {
        let Some(chrome) = Chrome::launch_with(switches).await else {
            return;
        };
        for width in [1280, 390] {
            chrome
                .client
                .set_window_size(width, 900)
                .await
                .expect("window size");
            let mut check = |path: &str, found: Vec<String>| {
                problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("{mode} {width} {path}: {p}")),
                );
            };
            chrome
                .client
                .goto(&format!("{}/login", w.app.base_url))
                .await
                .expect("login page");
            check("/login", audit(&chrome, &axe).await);
            chrome.log_in(&w.app.base_url, "admin@example.com").await;
            for path in &pages {
                chrome
                    .client
                    .goto(&format!("{}{path}", w.app.base_url))
                    .await
                    .expect("page");
                chrome.wait_for("main").await;
                check(path, audit(&chrome, &axe).await);
            }
            chrome
                .client
                .goto(&format!("{}/logout", w.app.base_url))
                .await
                .expect("leave");
            chrome.client.delete_all_cookies().await.expect("log out");
        }
        chrome.quit().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The page's serious and critical axe violations, and whether it scrolls sideways.
async fn audit(chrome: &Chrome, axe: &str) -> Vec<String> {
    chrome
        .client
        .execute(axe, vec![])
        .await
        .expect("inject axe-core");
    let found = chrome
        .client
        .execute_async(RUN_AXE, vec![])
        .await
        .expect("run axe-core");
    let mut problems: Vec<String> = found
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let sideways = chrome
        .client
        .execute(
            "if (document.documentElement.scrollWidth <= window.innerWidth) return null;
             return [...document.querySelectorAll('main *')]
               .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
               .slice(0, 3).map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')).join(', ') || 'something';",
            vec![],
        )
        .await
        .expect("measure");
    if let Some(wide) = sideways.as_str() {
        problems.push(format!("scrolls sideways: {wide}"));
    }
    problems
}

#[tokio::test]
async fn on_a_phone_the_sidebar_folds_behind_a_menu_button() {
    let (w, _) = walk_world().await;
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&w.app.base_url, "admin@example.com").await;
    chrome
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone");
    chrome
        .client
        .goto(&format!("{}{}", w.app.base_url, w.base()))
        .await
        .expect("tree");
    let shown =
        "return getComputedStyle(document.querySelector('#sidebar-body')).display !== 'none';";
    assert_eq!(
        chrome.client.execute(shown, vec![]).await.expect("read"),
        false,
        "folded on a phone"
    );
    chrome
        .find(".menu-toggle")
        .await
        .click()
        .await
        .expect("open the menu");
    assert_eq!(
        chrome.client.execute(shown, vec![]).await.expect("read"),
        true
    );
    let expanded = chrome
        .find(".menu-toggle")
        .await
        .attr("aria-expanded")
        .await
        .expect("attribute");
    assert_eq!(expanded.as_deref(), Some("true"));
    chrome
        .client
        .set_window_size(1280, 900)
        .await
        .expect("desktop");
    chrome.client.refresh().await.expect("reload");
    chrome.wait_for("main").await;
    assert_eq!(
        chrome.client.execute(shown, vec![]).await.expect("read"),
        true,
        "always open on a wide screen"
    );
    chrome.quit().await;
}
