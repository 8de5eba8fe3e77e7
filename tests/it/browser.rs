//! Real-browser tests: headless Chromium driven over WebDriver by chromedriver, for what
//! only a browser shows (pointer drags, keyboard moves, scripts talking to the server).
//!
//! Without chromedriver on the PATH these tests say so and pass, so a laptop without
//! Chromium still runs the rest; in CI (`CI=true` or `CI=1`, or `CAIRN_REQUIRE_BROWSER=1`,
//! which `.ci/run` sets) a missing chromedriver fails them instead.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::harness::PASSWORD;

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

/// Whether a browser test must run rather than be skipped.
fn browser_required() -> bool {
    let set = |name: &str, values: &[&str]| {
        std::env::var(name).is_ok_and(|v| values.contains(&v.to_ascii_lowercase().as_str()))
    };
    set("CI", &["true", "1"]) || set("CAIRN_REQUIRE_BROWSER", &["1"])
}

pub struct Chrome {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    /// A fresh headless Chromium with an empty profile, or `None` (with a note) where
    /// chromedriver is not installed outside CI.
    pub async fn launch() -> Option<Chrome> {
        Self::launch_with(&[]).await
    }

    /// The same with more command-line switches (`--force-dark-mode`).
    pub async fn launch_with(extra: &[&str]) -> Option<Chrome> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = match Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(driver) => driver,
            Err(e) if !browser_required() => {
                eprintln!("skipping a browser test: chromedriver is not available ({e})");
                return None;
            }
            Err(e) => panic!("chromedriver must be installed in CI: {e}"),
        };
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(str::to_owned)
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": args,
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen; connecting is retried until it does.
        let mut last_error = None;
        for _ in 0..100 {
            // WebDriver on loopback is plain HTTP.
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Chrome {
                        client,
                        driver,
                        _profile: profile,
                    })
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start: {last_error:?}");
    }

    pub async fn log_in(&self, base_url: &str, email: &str) {
        self.client
            .goto(&format!("{base_url}/login"))
            .await
            .expect("login page");
        self.find("input[name=email]")
            .await
            .send_keys(email)
            .await
            .expect("type email");
        self.find("input[name=password]")
            .await
            .send_keys(PASSWORD)
            .await
            .expect("type password");
        self.find("form button[type=submit]")
            .await
            .click()
            .await
            .expect("submit");
        self.wait_for(".account-menu").await;
    }

    /// The element, once the page shows it.
    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(css).await
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Waits until a script returns something other than null or false; returns it.
    pub async fn wait_until(&self, script: &str) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let value = self
                .client
                .execute(script, vec![])
                .await
                .expect("script runs");
            if !value.is_null() && value != json!(false) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited in vain for: {script}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses the left button on the element's centre, moves by (dx, dy) in ten steps
    /// and lets go: real pointer events, as a mouse makes them.
    pub async fn drag_by(&self, element: &Element, dx: f64, dy: f64) {
        let mut mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: element.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            });
        for _ in 0..10 {
            mouse = mouse.then(PointerAction::MoveBy {
                duration: Some(Duration::from_millis(20)),
                x: dx / 10.0,
                y: dy / 10.0,
            });
        }
        mouse = mouse.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        self.client
            .perform_actions(mouse)
            .await
            .expect("pointer drag");
    }

    pub async fn quit(mut self) {
        self.client.clone().close().await.expect("browser closes");
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Chrome {
    // A failed test still stops its chromedriver.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
