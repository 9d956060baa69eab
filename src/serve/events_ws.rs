//! `GET /api/v1/converge/{id}/events`: the run's events over a WebSocket, one text frame per
//! `events.jsonl` line, from the first event, closed after `run_finished`.

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::runs::{Follow, Line, ServerRun};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::response::Response;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A client that takes longer than this to accept one frame is dropped: its buffer is the
/// kernel's socket buffer, and it must not hold a shutting-down server open.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

enum Source {
    Live(Arc<ServerRun>),
    /// A run from the history: its events.jsonl, whole.
    File(PathBuf),
}

#[utoipa::path(get, path = "/api/v1/converge/{id}/events", tag = "converge",
    params(("id" = String, Path, description = "The convergenceId (run id)")),
    security(("bearer" = [])),
    responses(
        (status = 101, description = "WebSocket: one text frame per event (the objects of \
            events.jsonl), from the first, closed after run_finished"),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run", body = ErrorBody)))]
pub async fn events(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let ws = ws.map_err(|e| {
        ApiError::bad_request(
            "not_a_websocket",
            format!("this route is a WebSocket (send the upgrade headers): {e}"),
        )
    })?;
    let source = match state.runs.get(&id) {
        Some(run) => Source::Live(run),
        None => {
            let roots = state.history_roots();
            let lookup = id.clone();
            let (root, _) =
                tokio::task::spawn_blocking(move || super::read_routes::find_run(&roots, &lookup))
                    .await
                    .map_err(|e| ApiError::internal(format!("history read failed: {e}")))??;
            Source::File(crate::layout::run_dir(&root, &id).join("events.jsonl"))
        }
    };
    let tasks = state.runs.tasks.clone();
    // Tracked so that shutdown waits for the last frames of cancelled runs.
    Ok(ws.on_upgrade(move |socket| tasks.track_future(stream(socket, source))))
}

async fn send(socket: &mut WebSocket, msg: Message) -> bool {
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(msg)).await,
        Ok(Ok(()))
    )
}

async fn close(mut socket: WebSocket, reason: &'static str) {
    let frame = CloseFrame {
        code: close_code::NORMAL,
        reason: reason.into(),
    };
    let _ = send(&mut socket, Message::Close(Some(frame))).await;
}

async fn stream(mut socket: WebSocket, source: Source) {
    let run = match source {
        Source::File(path) => return from_file(socket, path).await,
        Source::Live(run) => run,
    };
    let (backlog, mut rx) = match run.follow() {
        Follow::Live(backlog, rx) => (backlog, rx),
        Follow::Sealed => return from_file(socket, events_file(&run)).await,
    };
    let mut last = 0u64;
    for line in backlog {
        if !forward(&mut socket, &line, &mut last).await {
            return;
        }
        if line.last {
            run.sealed().await;
            return close(socket, "run finished").await;
        }
    }
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Ok(line) => {
                    if !forward(&mut socket, &line, &mut last).await {
                        return;
                    }
                    if line.last {
                        run.sealed().await;
                        return close(socket, "run finished").await;
                    }
                }
                // Fell behind the feed: catch up from the run's own log.
                Err(RecvError::Lagged(_)) => match run.lines_after(last) {
                    Some(missed) => {
                        for line in missed {
                            if !forward(&mut socket, &line, &mut last).await {
                                return;
                            }
                            if line.last {
                                run.sealed().await;
                                return close(socket, "run finished").await;
                            }
                        }
                    }
                    None => return from_file_after(socket, events_file(&run), last).await,
                },
                Err(RecvError::Closed) => {
                    return from_file_after(socket, events_file(&run), last).await;
                }
            },
            incoming = socket.recv() => match incoming {
                // The client left (or sent a close): stop following; the run goes on.
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Send `line` unless it was sent already (a catch-up overlaps the feed).
async fn forward(socket: &mut WebSocket, line: &Line, last: &mut u64) -> bool {
    if line.seq <= *last {
        return true;
    }
    *last = line.seq;
    send(socket, Message::Text(line.text.clone().into())).await
}

fn events_file(run: &ServerRun) -> PathBuf {
    crate::layout::run_dir(&run.root, &run.id).join("events.jsonl")
}

async fn from_file(socket: WebSocket, path: PathBuf) {
    from_file_after(socket, path, 0).await;
}

/// The lines of a finished run's events.jsonl after `seq`, then close.
async fn from_file_after(mut socket: WebSocket, path: PathBuf, seq: u64) {
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(t) => t,
        Err(_) => return close(socket, "no events recorded for this run").await,
    };
    for line in text.lines() {
        let n = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("seq").and_then(serde_json::Value::as_u64))
            .unwrap_or(0);
        if n <= seq {
            continue;
        }
        if !send(&mut socket, Message::Text(line.to_string().into())).await {
            return;
        }
    }
    close(socket, "run finished").await;
}
