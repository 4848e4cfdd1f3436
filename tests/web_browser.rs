//! The class page in a real browser (issue 23): headless Chromium (Debian's `chromium`;
//! `AGORA_TEST_CHROMIUM` names another) opens a signed link over the DevTools protocol at a
//! desktop and a phone width, the heatmap and the item charts are drawn, nothing is wider
//! than the viewport (a wide table scrolls inside its own box), and a screenshot of each is
//! saved in `target/web-screenshots/`. Where no browser can be had, the test says so on
//! stderr and passes; `.ci/run` installs one, so CI never skips it.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

use crate::web::Class;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The browser to drive: `AGORA_TEST_CHROMIUM`, or the first of Debian's and Google's names on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("AGORA_TEST_CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"].iter().flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name))).find(|p| p.is_file())
}

/// Headless Chromium and one page of it, attached over the DevTools protocol.
struct Browser {
    child: tokio::process::Child,
    socket: Socket,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn launch(exe: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(exe)
            .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("{} ended without a DevTools address", exe.display())
        })
        .await
        .expect("Chromium gives its DevTools address within 30 s");
        // Keep reading its stderr, so the browser never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
        let mut browser = Browser { child, socket, session: String::new(), next_id: 0, _profile: profile };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" })).await;
        let attached = browser.call("Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true })).await;
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser
    }

    /// Sends one command (to the page, once attached) and waits for its result; events are skipped.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket.send(Message::Text(message.to_string())).await.unwrap();
        loop {
            let reply = tokio::time::timeout(Duration::from_secs(30), self.socket.next()).await.expect("Chromium answers within 30 s");
            let Some(Ok(Message::Text(text))) = reply else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page (DevTools runs it; the page allows no script of its own).
    async fn eval(&mut self, expression: &str) -> Value {
        self.call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true })).await["result"]["value"].clone()
    }

    async fn open(&mut self, url: &str, width: u32, height: u32, mobile: bool) {
        self.call("Emulation.setDeviceMetricsOverride", json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile })).await;
        self.call("Page.navigate", json!({ "url": url })).await;
        for _ in 0..100 {
            if self.eval("document.readyState === 'complete' && document.styleSheets.length > 0").await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{url} did not load with its stylesheet within 10 s");
    }

    /// A PNG of the whole page at the current width.
    async fn screenshot(&mut self, width: u32, mobile: bool) -> Vec<u8> {
        let height = self.eval("document.documentElement.scrollHeight").await.as_u64().unwrap().min(8000);
        self.call("Emulation.setDeviceMetricsOverride", json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile })).await;
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" })).await;
        base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap()
    }
}

/// What the page draws and whether anything sticks out past the viewport (anything but
/// what a `.scroll` box holds, which scrolls inside it).
const LAYOUT: &str = r#"JSON.stringify({
  width: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  heatmapCells: document.querySelectorAll('svg#heatmap rect').length,
  itemCharts: document.querySelectorAll('svg.picks').length,
  styled: getComputedStyle(document.body).maxWidth !== 'none',
  over: [...document.querySelectorAll('body *')]
    .filter(e => !(e.parentElement && e.parentElement.closest('.scroll')))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''))
    .slice(0, 8),
})"#;

#[tokio::test]
async fn the_page_reads_on_a_laptop_and_a_phone_in_chromium() {
    let Some(exe) = chromium() else {
        eprintln!(
            "SKIPPED web_browser: no Chromium on the PATH (apt-get install chromium, or set AGORA_TEST_CHROMIUM); the class page was not checked in a browser"
        );
        return;
    };
    let class = Class::new().await;
    let url = format!("http://{}{}", class.addr, class.link_path().await);
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let mut browser = Browser::launch(&exe).await;
    for (name, width, height, mobile) in [("desktop", 1280, 900, false), ("phone", 390, 844, true)] {
        browser.open(&url, width, height, mobile).await;
        let layout: Value = serde_json::from_str(browser.eval(LAYOUT).await.as_str().unwrap()).unwrap();
        assert_eq!(layout["styled"], json!(true), "{name}: the stylesheet applies under the page's policy: {layout}");
        assert!(layout["heatmapCells"].as_u64().unwrap() >= 8, "{name}: the heatmap is drawn: {layout}");
        assert!(layout["itemCharts"].as_u64().unwrap() >= 1, "{name}: the item charts are drawn: {layout}");
        assert_eq!(layout["width"], layout["viewport"], "{name}: the page is no wider than the screen: {layout}");
        assert_eq!(layout["over"], json!([]), "{name}: nothing sticks out past the screen: {layout}");
        let png = browser.screenshot(width, mobile).await;
        assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG");
        std::fs::write(out.join(format!("{name}.png")), png).unwrap();
    }
    browser.child.kill().await.unwrap();
}
