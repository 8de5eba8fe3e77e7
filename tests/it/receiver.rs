//! A small HTTP server in the test process: it records each request and answers what the
//! test sets for its path (an empty 200 until told otherwise). It receives webhook
//! deliveries, serves the websites the onboarding scrape reads, and plays an
//! OpenAI-compatible language model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// What the server answers on a path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A whole answer with a `content-length`.
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// An HTML answer of `bytes` bytes without a length, ended by closing the connection.
    Streamed { bytes: usize },
    /// Headers of an HTML page, then nothing until the server stops.
    Hang,
}

impl Reply {
    pub fn html(body: &str) -> Self {
        Self::typed(200, "text/html; charset=utf-8", body)
    }

    pub fn typed(status: u16, content_type: &str, body: &str) -> Self {
        Self::Fixed {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn redirect(location: &str) -> Self {
        Self::Fixed {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    status: Option<u16>,
    replies: HashMap<String, Reply>,
}

/// Runs on a thread and runtime of its own, like the test SMTP server, so it answers
/// whatever the test's runtime is doing.
pub struct Receiver {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Receiver {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = shared.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("receiver runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    _ = stopped => {}
                    _ = serve(listener, serving) => {}
                }
            });
        });
        Self {
            port,
            shared,
            stop: Some(stop),
        }
    }

    /// The address of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.shared.lock().expect("receiver").status = Some(status);
    }

    /// Answers `reply` on `path` from now on.
    pub fn serve(&self, path: &str, reply: Reply) {
        self.shared
            .lock()
            .expect("receiver")
            .replies
            .insert(path.to_owned(), reply);
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("receiver").received.clone()
    }
}

async fn serve(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut reader = BufReader::new(read);
            let mut line = String::new();
            if reader.read_line(&mut line).await.is_err() {
                return;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut headers = HashMap::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                let header = line.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
                }
            }
            let length: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
            let reply = {
                let mut shared = shared.lock().expect("receiver");
                let reply = shared.replies.get(&path).cloned();
                let status = shared.status.unwrap_or(200);
                shared.received.push(Received {
                    path,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                reply.unwrap_or(Reply::Fixed {
                    status,
                    headers: Vec::new(),
                    body: Vec::new(),
                })
            };
            match reply {
                Reply::Fixed {
                    status,
                    headers,
                    body,
                } => {
                    let mut head = format!("HTTP/1.1 {status} Answer\r\n");
                    for (name, value) in headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str(&format!(
                        "content-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    ));
                    let _ = write.write_all(head.as_bytes()).await;
                    let _ = write.write_all(&body).await;
                }
                Reply::Streamed { bytes } => {
                    let head =
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n";
                    let _ = write.write_all(head.as_bytes()).await;
                    let chunk = vec![b'a'; 64 * 1024];
                    let mut sent = 0;
                    while sent < bytes {
                        let n = chunk.len().min(bytes - sent);
                        if write.write_all(&chunk[..n]).await.is_err() {
                            break;
                        }
                        sent += n;
                    }
                }
                Reply::Hang => {
                    let head =
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 100\r\n\r\n";
                    let _ = write.write_all(head.as_bytes()).await;
                    std::future::pending::<()>().await;
                }
            }
            let _ = write.shutdown().await;
        });
    }
}

/// An OpenAI-compatible language model that answers `reply` at `/v1/chat/completions`, and
/// the app's client for it, which waits 1 s for an answer.
pub fn model(reply: Reply) -> (Receiver, cairn::llm::Llm) {
    let server = Receiver::start();
    server.serve("/v1/chat/completions", reply);
    let settings = cairn::llm::LlmSettings::new(
        url::Url::parse(&server.url("/v1")).expect("url"),
        "test-model".into(),
        "sk-test-key".into(),
    );
    let client = cairn::llm::Llm::new(settings, std::time::Duration::from_secs(1));
    (server, client.expect("client"))
}
