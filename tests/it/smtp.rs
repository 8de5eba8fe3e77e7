//! A small SMTP server in the test process, so lettre delivers over real SMTP.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Runs on a thread and runtime of its own, so it keeps answering while a test blocks its
/// own runtime (for instance while joining the app's threads at the end).
pub struct SmtpServer {
    pub port: u16,
    received: mpsc::UnboundedReceiver<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Listens on a given port (to bring a "down" mail server back up).
    pub async fn start_on(port: u16) -> Self {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("addr").port();
        let (sender, received) = mpsc::unbounded_channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("SMTP runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    _ = stopped => {}
                    _ = serve(listener, sender) => {}
                }
            });
        });
        Self {
            port,
            received,
            stop: Some(stop),
        }
    }

    pub fn url(&self) -> String {
        smtp_url(self.port)
    }

    /// The next message, as the server received it (waits up to 20 s).
    pub async fn next_message(&mut self) -> String {
        tokio::time::timeout(std::time::Duration::from_secs(20), self.received.recv())
            .await
            .expect("an email arrives")
            .expect("the SMTP server runs")
    }

    /// Messages received so far, without waiting.
    pub fn drain(&mut self) -> Vec<String> {
        let mut messages = Vec::new();
        while let Ok(message) = self.received.try_recv() {
            messages.push(message);
        }
        messages
    }
}

/// Accepts connections and speaks just enough SMTP for lettre.
async fn serve(listener: TcpListener, sender: mpsc::UnboundedSender<String>) {
    while let Ok((stream, _)) = listener.accept().await {
        let sender = sender.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let _ = write.write_all(b"220 localhost ESMTP test\r\n").await;
            while let Ok(Some(line)) = lines.next_line().await {
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250-localhost\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        let _ = write.write_all(b"354 end with .\r\n").await;
                        let mut message = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            message.push_str(line.strip_prefix('.').unwrap_or(&line));
                            message.push('\n');
                        }
                        let _ = sender.send(message);
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                let _ = write.write_all(reply).await;
            }
        });
    }
}

pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}?tls=opportunistic")
}

/// Undoes quoted-printable soft breaks and escapes, enough to read links and text.
pub fn decode(message: &str) -> String {
    let joined = message.replace("=\n", "");
    let mut out = Vec::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The invite link's path in a received message.
pub fn invite_path(message: &str) -> String {
    link_path(message, "/invites/")
}

/// The path of the link under `prefix` (`/reset-password/`) in a received message.
pub fn link_path(message: &str, prefix: &str) -> String {
    let text = decode(message);
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("the email carries a {prefix} link: {text}"));
    let token: String = text[start + prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "a full token in {text}");
    format!("{prefix}{token}")
}
