//! The hub: the whole router over HTTP (axum), behind signed requests.
//!
//! Every request carries `Authorization: KSig1-HMAC-SHA256 KeyId=…,
//! Timestamp=…, Signature=…` (see [`crate::core::signing`]). Unsigned, badly
//! signed, stale or replayed requests get 401 and touch nothing; a Source the
//! client may not post gets 403 from the service.

use crate::api;
use crate::core::signing;
use crate::service::{Actor, Registry};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::{Arc, Mutex};

struct Hub {
    reg: Mutex<Registry>,
}

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
    let Some(parsed) = signing::parse(&header) else {
        return unauthorized("malformed Authorization header");
    };
    let mut reg = hub.reg.lock().unwrap_or_else(|e| e.into_inner());
    let client = match reg.hub_client(&parsed.key_id) {
        Ok(Some(c)) => c,
        Ok(None) => return unauthorized("unknown key id"),
        Err(e) => {
            return (
                500,
                json!({"success": false, "message": e.to_string(), "retryableError": true}),
            );
        }
    };
    let now = chrono::Utc::now().timestamp();
    match signing::verify(&parsed, &client.0, method, path, body, now) {
        Ok(()) => {}
        Err(signing::Refusal::Stale) => {
            return unauthorized("the request is outside the 5-minute window");
        }
        Err(_) => return unauthorized("bad signature"),
    }
    match reg.hub_nonce(&parsed.signature, now) {
        Ok(true) => {}
        Ok(false) => return unauthorized("replayed request"),
        Err(e) => {
            return (
                500,
                json!({"success": false, "message": e.to_string(), "retryableError": true}),
            );
        }
    }
    let actor = Actor::hub_client(&parsed.key_id, client.1);
    let r = api::handle(&mut reg, &actor, method, path, body);
    (r.status, r.body)
}

async fn any(
    State(hub): State<Arc<Hub>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
pub fn serve(reg: Registry, listen: &str) -> Result<(), String> {
    serve_with(reg, listen, None)
}

/// Like [`serve`], telling `ready` the bound address (benchmarks, tests).
pub fn serve_with(
    reg: Registry,
    listen: &str,
    ready: Option<std::sync::mpsc::Sender<std::net::SocketAddr>>,
) -> Result<(), String> {
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
        });
        let app = axum::Router::new().fallback(any).with_state(hub);
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    })
}
