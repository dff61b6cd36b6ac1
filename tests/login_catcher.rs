//! The loopback catcher over real sockets on 127.0.0.1 (checklist items 1, 4 and 6).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use zdauth_core::login::{Callback, CallbackError, Catcher, LoginError};

const STATE: &str = "Zq3b6d3sWn0n2xQ9LrT1fA8cK5uY7pVe";
const LONG: Duration = Duration::from_secs(20);

type Waiting = JoinHandle<Result<Callback, LoginError>>;

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn start(timeout: Duration) -> (u16, Waiting, CancellationToken) {
    let catcher = Catcher::bind(crate::common::world::free_port())
        .await
        .unwrap();
    let port = catcher.port();
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let waiting = tokio::spawn(async move { catcher.wait(STATE, timeout, token).await });
    (port, waiting, cancel)
}

struct Page {
    status: u16,
    content_type: String,
    cache_control: String,
    body: String,
}

async fn get(port: u16, path_and_query: &str) -> Page {
    let response = client()
        .get(format!("http://127.0.0.1:{port}{path_and_query}"))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (content_type, cache_control) = (header("content-type"), header("cache-control"));
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    Page {
        status,
        content_type,
        cache_control,
        body,
    }
}

fn right(code: &str) -> String {
    format!("/callback?code={code}&state={STATE}")
}

async fn still_waiting(waiting: &Waiting) {
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!waiting.is_finished(), "the wait ended early");
}

async fn code_of(waiting: Waiting) -> String {
    match waiting.await.unwrap() {
        Ok(Callback::Code(code)) => code.expose().to_string(),
        other => panic!("expected a code, got {other:?}"),
    }
}

/// The catcher closed its listener; a process that another test was spawning at that moment
/// may still hold a copy of it between its fork and its exec (close-on-exec closes it only
/// then), so the port is given a few seconds to come free.
async fn assert_port_free(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match Catcher::bind(port).await {
            Ok(_) => return,
            Err(LoginError::PortBusy { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("the port is not free again: {e:?}"),
        }
    }
}

#[tokio::test]
async fn listens_on_127_0_0_1_only() {
    let catcher = Catcher::bind(crate::common::world::free_port())
        .await
        .unwrap();
    assert_eq!(catcher.local_addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_ne!(catcher.port(), 0);
}

#[tokio::test]
async fn right_state_gives_the_code_and_the_success_page() {
    let (port, waiting, _cancel) = start(LONG).await;
    let page = get(port, &right("abc123")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert_eq!(page.cache_control, "no-store");
    assert!(page.body.contains("close this tab"));
    assert_eq!(code_of(waiting).await, "abc123");
    assert_port_free(port).await;
}

#[tokio::test]
async fn wrong_missing_and_stale_state_get_400_and_the_wait_goes_on() {
    let (port, waiting, _cancel) = start(LONG).await;
    for bad in [
        "/callback?code=evil&state=wrong".to_string(),
        "/callback?code=evil".to_string(),
        // The state of an earlier login, replayed.
        "/callback?code=evil&state=Ab3b6d3sWn0n2xQ9LrT1fA8cK5uY7pVe".to_string(),
        format!("/callback?code=evil&state={STATE}&state={STATE}"),
        "/callback".to_string(),
    ] {
        let page = get(port, &bad).await;
        assert_eq!(page.status, 400, "{bad}");
        assert_eq!(page.cache_control, "no-store");
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        assert!(!page.body.contains(STATE));
        still_waiting(&waiting).await;
    }
    let page = get(port, &right("good")).await;
    assert_eq!(page.status, 200);
    assert_eq!(code_of(waiting).await, "good");
}

#[tokio::test]
async fn a_callback_replayed_after_the_login_finds_nothing() {
    let (port, waiting, _cancel) = start(LONG).await;
    assert_eq!(get(port, &right("once")).await.status, 200);
    assert_eq!(code_of(waiting).await, "once");
    let replay = client()
        .get(format!("http://127.0.0.1:{port}{}", right("once")))
        .send()
        .await;
    assert!(replay.is_err(), "the listener is closed after one callback");
}

#[tokio::test]
async fn favicon_and_other_paths_get_404_and_the_wait_goes_on() {
    let (port, waiting, _cancel) = start(LONG).await;
    for path in ["/favicon.ico", "/other", "/", "/callback/x", "/Callback"] {
        let page = get(port, &format!("{path}?code=evil&state={STATE}")).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(page.cache_control, "no-store");
        still_waiting(&waiting).await;
    }
    get(port, &right("good")).await;
    assert_eq!(code_of(waiting).await, "good");
}

#[tokio::test]
async fn post_callback_is_not_accepted() {
    let (port, waiting, _cancel) = start(LONG).await;
    let response = client()
        .post(format!("http://127.0.0.1:{port}/callback"))
        .form(&[("code", "evil"), ("state", STATE)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let response = client()
        .post(format!("http://127.0.0.1:{port}{}", right("evil")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    still_waiting(&waiting).await;
    get(port, &right("good")).await;
    assert_eq!(code_of(waiting).await, "good");
}

#[tokio::test]
async fn a_foreign_host_header_gets_404() {
    let (port, waiting, _cancel) = start(LONG).await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: rebound.example:{port}\r\nConnection: close\r\n\r\n",
        right("evil")
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    still_waiting(&waiting).await;
    get(port, &right("good")).await;
    assert_eq!(code_of(waiting).await, "good");
}

#[tokio::test]
async fn extra_parameters_like_iss_are_ignored() {
    let (port, waiting, _cancel) = start(LONG).await;
    let path =
        format!("/callback?code=abc&iss=https%3A%2F%2Facme.zendesk.com&scope=read&state={STATE}");
    assert_eq!(get(port, &path).await.status, 200);
    assert_eq!(code_of(waiting).await, "abc");
}

#[tokio::test]
async fn a_denial_ends_the_wait_and_is_shown_escaped() {
    let (port, waiting, _cancel) = start(LONG).await;
    let path = format!(
        "/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
    );
    let page = get(port, &path).await;
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert_eq!(page.cache_control, "no-store");
    assert!(page.body.contains("access_denied"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains("<script>"));
    match waiting.await.unwrap() {
        Ok(Callback::Denied { error, description }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(description.as_deref(), Some("<script>alert(1)</script>"));
        }
        other => panic!("expected Denied, got {other:?}"),
    }
    assert_port_free(port).await;
}

#[tokio::test]
async fn a_forged_denial_without_the_state_shows_nothing_of_it() {
    let (port, waiting, _cancel) = start(LONG).await;
    let page = get(
        port,
        "/callback?error=access_denied&error_description=PWNED%3Cb%3E&state=forged",
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(!page.body.contains("PWNED"));
    still_waiting(&waiting).await;
    get(port, &right("good")).await;
    assert_eq!(code_of(waiting).await, "good");
}

#[tokio::test]
async fn two_valid_callbacks_at_once_have_one_winner() {
    let (port, waiting, _cancel) = start(LONG).await;
    let one = client()
        .get(format!("http://127.0.0.1:{port}{}", right("one")))
        .send();
    let two = client()
        .get(format!("http://127.0.0.1:{port}{}", right("two")))
        .send();
    let (one, two) = tokio::join!(one, two);
    let ok = |r: &reqwest::Result<reqwest::Response>| {
        r.as_ref().is_ok_and(|r| r.status().as_u16() == 200)
    };
    let winner = code_of(waiting).await;
    assert!(ok(&one) ^ ok(&two), "exactly one callback is accepted");
    assert_eq!(winner, if ok(&one) { "one" } else { "two" });
}

#[tokio::test]
async fn times_out_and_frees_the_port() {
    let (port, waiting, _cancel) = start(Duration::from_millis(300)).await;
    let started = Instant::now();
    let error = waiting.await.unwrap().unwrap_err();
    assert!(matches!(error, LoginError::TimedOut { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let text = error.to_string();
    assert!(
        text.contains("300ms") && text.contains("--timeout"),
        "{text}"
    );
    assert_port_free(port).await;
}

#[tokio::test]
async fn cancel_ends_the_wait_and_frees_the_port() {
    let (port, waiting, cancel) = start(LONG).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancel.cancel();
    let error = waiting.await.unwrap().unwrap_err();
    assert!(matches!(error, LoginError::Cancelled), "{error:?}");
    assert_port_free(port).await;
}

#[tokio::test]
async fn a_busy_port_says_so_and_names_redirect_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let error = Catcher::bind(port).await.err().expect("the port is taken");
    assert!(matches!(error, LoginError::PortBusy { port: p } if p == port));
    let text = error.to_string();
    assert!(
        text.contains(&port.to_string()) && text.contains("redirect_port"),
        "{text}"
    );
}

type Rejections = Arc<Mutex<Vec<CallbackError>>>;

async fn start_with_paste(timeout: Duration) -> (u16, Waiting, mpsc::Sender<String>, Rejections) {
    let catcher = Catcher::bind(crate::common::world::free_port())
        .await
        .unwrap();
    let port = catcher.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let (lines, pasted) = mpsc::channel(4);
    let rejections = Rejections::default();
    let seen = rejections.clone();
    let waiting = tokio::spawn(async move {
        catcher
            .wait_or_pasted(
                STATE,
                &redirect_uri,
                timeout,
                CancellationToken::new(),
                pasted,
                move |error| seen.lock().unwrap().push(error),
            )
            .await
    });
    (port, waiting, lines, rejections)
}

#[tokio::test]
async fn a_pasted_redirect_url_wins_when_it_comes_first() {
    let (port, waiting, lines, rejections) = start_with_paste(LONG).await;
    let pasted = format!("  http://127.0.0.1:{port}{}  ", right("pasted"));
    lines.send(pasted).await.unwrap();
    assert_eq!(code_of(waiting).await, "pasted");
    assert!(rejections.lock().unwrap().is_empty());
    assert_port_free(port).await;
}

#[tokio::test]
async fn a_bad_paste_is_reported_and_the_wait_goes_on() {
    let (port, waiting, lines, rejections) = start_with_paste(LONG).await;
    lines.send("not a url".into()).await.unwrap();
    lines.send(String::new()).await.unwrap();
    lines
        .send(format!(
            "http://127.0.0.1:{port}/callback?code=x&state=wrong"
        ))
        .await
        .unwrap();
    lines
        .send(format!("http://127.0.0.1:1/callback?code=x&state={STATE}"))
        .await
        .unwrap();
    still_waiting(&waiting).await;
    {
        let seen = rejections.lock().unwrap();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(matches!(seen[0], CallbackError::Malformed(_)));
        assert_eq!(seen[1], CallbackError::WrongState);
        assert!(matches!(seen[2], CallbackError::WrongRedirect { .. }));
    }
    get(port, &right("browser")).await;
    assert_eq!(code_of(waiting).await, "browser");
}

#[tokio::test]
async fn the_browser_still_wins_after_the_paste_input_closes() {
    let (port, waiting, lines, _rejections) = start_with_paste(LONG).await;
    drop(lines);
    still_waiting(&waiting).await;
    get(port, &right("browser")).await;
    assert_eq!(code_of(waiting).await, "browser");
}

#[tokio::test]
async fn a_pasted_denial_ends_the_wait() {
    let (port, waiting, lines, _rejections) = start_with_paste(LONG).await;
    lines
        .send(format!(
            "http://127.0.0.1:{port}/callback?error=access_denied&state={STATE}"
        ))
        .await
        .unwrap();
    assert!(matches!(
        waiting.await.unwrap(),
        Ok(Callback::Denied { .. })
    ));
}

#[tokio::test]
async fn an_idle_connection_does_not_hold_the_login_or_the_port() {
    let (port, waiting, _cancel) = start(LONG).await;
    let mut idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    idle.write_all(b"GET /callback?co").await.unwrap();
    get(port, &right("good")).await;
    let started = Instant::now();
    assert_eq!(code_of(waiting).await, "good");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_port_free(port).await;
}
