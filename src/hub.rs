//! The hub: the whole router over HTTP (axum), behind signed requests.
//!
//! Every request carries `Authorization: KSig1-HMAC-SHA256 KeyId=…,
//! Timestamp=…, Signature=…` (see [`crate::core::signing`]). Unsigned, badly
//! signed, stale or replayed requests get 401 and touch nothing; a Source the
//! client may not post gets 403 from the service.

use crate::api;
use crate::core::signing;
use crate::service::{Actor, Registry};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::{Arc, Mutex};

struct Hub {
    reg: Mutex<Registry>,
    limits: Limits,
}

/// What one client can hold of the hub.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most; more are closed at once. Idle ones close
    /// after `header_timeout`, so a flood of silent sockets cannot hold them.
    pub max_connections: usize,
    /// Time to send a request's headers (and to start one on an idle connection).
    pub header_timeout: std::time::Duration,
    /// Time to send a request's body.
    pub body_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(20),
        }
    }
}
/// Largest request body.
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// Longest nonce a signature may carry.
const MAX_NONCE: usize = 64;

fn reply(status: u16, body: serde_json::Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn unauthorized(msg: &str) -> (u16, serde_json::Value) {
    (
        401,
        json!({"success": false, "message": msg, "error": {"type": "unauthorized", "message": msg}, "retryableError": false}),
    )
}

/// Check the signature and run the request; blocking (SQLite), so it runs
/// on tokio's blocking pool.
fn handle_blocking(
    hub: &Hub,
    method: &str,
    path: &str,
    auth: Option<String>,
    body: &[u8],
) -> (u16, serde_json::Value) {
    let Some(header) = auth else {
        return unauthorized("the request is not signed");
    };
    let Some(parsed) = signing::parse(&header).filter(|p| p.nonce.len() <= MAX_NONCE) else {
        return unauthorized("malformed Authorization header");
    };
    let internal = |e: crate::service::ServiceError| {
        // The cause goes to the operator's log, never to the client.
        eprintln!("hub: internal error: {e}");
        (
            500,
            json!({"success": false, "message": "internal error at the hub; retry later", "retryableError": true}),
        )
    };
    let mut reg = hub.reg.lock().unwrap_or_else(|e| e.into_inner());
    let client = match reg.hub_client(&parsed.key_id) {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    // Replays are refused against the wall clock, as sites sign with it.
    #[allow(clippy::disallowed_methods)]
    let now = chrono::Utc::now().timestamp();
    // An unknown key id and a wrong signature get the same answer, after
    // the same work: nothing tells a prober which key ids exist.
    let secret = client
        .as_ref()
        .map(|c| c.0.as_str())
        .unwrap_or("\0no such key\0");
    match signing::verify(&parsed, secret, method, path, body, now) {
        Ok(()) if client.is_some() => {}
        Err(signing::Refusal::Stale) => {
            return unauthorized("the request is outside the 5-minute window");
        }
        _ => return unauthorized("the signature does not verify"),
    }
    let client = client.expect("checked above");
    // Replays are keyed on (key id, nonce), both under the signature: a
    // re-encoded signature (upper-case hex) is the same request.
    match reg.hub_nonce(&parsed.key_id, &parsed.nonce, now) {
        Ok(true) => {}
        Ok(false) => return unauthorized("replayed request"),
        Err(e) => return internal(e),
    }
    let actor = Actor::hub_client(&parsed.key_id, client.1);
    let r = api::handle(&mut reg, &actor, method, path, body);
    if r.status >= 500 {
        eprintln!("hub: {method} {path} answered {}: {}", r.status, r.body);
        return (
            r.status,
            json!({"success": false, "message": "internal error at the hub; retry later", "retryableError": true}),
        );
    }
    (r.status, r.body)
}

async fn any(
    State(hub): State<Arc<Hub>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // A body that trickles in is cut off: a slow sender cannot hold a
    // connection (and its file descriptor) for long.
    let body = match tokio::time::timeout(
        hub.limits.body_timeout,
        axum::body::to_bytes(body, MAX_BODY),
    )
    .await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return reply(
                413,
                json!({"success": false, "message": format!("the body is larger than {MAX_BODY} bytes or broken"), "retryableError": false}),
            );
        }
        Err(_) => {
            return reply(
                408,
                json!({"success": false, "message": "the body did not arrive in time", "retryableError": true}),
            );
        }
    };
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let m = method.as_str().to_string();
    let result =
        tokio::task::spawn_blocking(move || handle_blocking(&hub, &m, &path, auth, &body)).await;
    match result {
        Ok((status, body)) => reply(status, body),
        Err(e) => reply(
            500,
            json!({"success": false, "message": format!("hub task failed: {e}"), "retryableError": true}),
        ),
    }
}

/// Serve the hub on `listen` until the process ends. Prints the bound address.
pub fn serve(reg: Registry, listen: &str, limits: Limits) -> Result<(), String> {
    serve_with(reg, listen, limits, None)
}

/// Like [`serve`], telling `ready` the bound address (benchmarks, tests).
pub fn serve_with(
    reg: Registry,
    listen: &str,
    limits: Limits,
    ready: Option<std::sync::mpsc::Sender<std::net::SocketAddr>>,
) -> Result<(), String> {
    // The blocking index is loaded before the first request, not by it.
    reg.warm_index().map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("registrar hub listening on http://{addr}");
        if let Some(r) = ready {
            let _ = r.send(addr);
        }
        let hub = Arc::new(Hub {
            reg: Mutex::new(reg),
            limits,
        });
        // The hub learns its matching model as it grows, like an import
        // and the GUI do: once a minute it asks whether one is due.
        let learner = hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                let hub = learner.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    let mut reg = hub.reg.lock().unwrap_or_else(|e| e.into_inner());
                    let _ = reg.train_if_due();
                })
                .await;
            }
        });
        let app = axum::Router::new().fallback(any).with_state(hub);
        accept_loop(listener, app, limits).await;
        Ok(())
    })
}

/// Serve each connection with HTTP/1.1, a header read timeout and a cap on
/// open connections.
async fn accept_loop(listener: tokio::net::TcpListener, app: axum::Router, limits: Limits) {
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                // Out of file descriptors and the like: wait, don't spin.
                eprintln!("hub: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let _ = builder
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}
