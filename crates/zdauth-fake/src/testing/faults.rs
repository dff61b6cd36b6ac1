//! Injected failures: a queue of faults the gate draws from, and what each one answers.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::Sleep;
use tokio_util::io::ReaderStream;

use super::echo;
use crate::errors::OAuthError;
use crate::gate::{ApiVerb, RequestKind};
use crate::state::{Shared, State};

/// Which requests a fault applies to. `Token` covers both the Support and the Chat token
/// endpoints, `Authorize` both authorization endpoints, `Api` everything under `/api/`, and
/// `ApiGet` … `ApiDelete` the API requests of that method only (a 5xx on POST alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultTarget {
    Authorize,
    Token,
    Api,
    ApiGet,
    ApiPost,
    ApiPut,
    ApiDelete,
    Any,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// That status with a JSON `{"error":"server_error",...}` body.
    Status(u16),
    TooManyRequests {
        retry_after: Option<u64>,
    },
    /// 200 with a JSON content type and a truncated JSON body.
    MalformedJson,
    /// Never answers (until the fake shuts down).
    Hang,
    /// Sends the headers and part of the body, then drops the connection.
    ResetMidBody,
    /// Authorization requests only: redirect back with `error=access_denied`.
    Deny,
    /// That status with a text/plain body that is the raw request, secrets and all (a
    /// debugging server's or a proxy's error page).
    EchoText(u16),
    /// 401 `invalid_token`, as Zendesk answers a bearer token it no longer accepts.
    Unauthorized,
    /// Waits until the test calls `FakeZendesk::release_held`, then is answered as usual:
    /// lets a test change the world while a request is on the wire.
    Hold,
}

struct Queued {
    target: FaultTarget,
    fault: Fault,
    remaining: usize,
}

/// Faults are served in the order they were pushed, each to its next `times` matching requests.
#[derive(Default)]
pub(crate) struct FaultQueue(VecDeque<Queued>);

impl FaultQueue {
    pub(crate) fn push(&mut self, target: FaultTarget, fault: Fault, times: usize) {
        if times > 0 {
            self.0.push_back(Queued {
                target,
                fault,
                remaining: times,
            });
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    fn take(&mut self, kind: RequestKind) -> Option<Fault> {
        let index = self.0.iter().position(|queued| {
            let target_matches = match queued.target {
                FaultTarget::Authorize => kind == RequestKind::Authorize,
                FaultTarget::Token => kind == RequestKind::Token,
                FaultTarget::Api => matches!(kind, RequestKind::Api(_)),
                FaultTarget::ApiGet => kind == RequestKind::Api(ApiVerb::Get),
                FaultTarget::ApiPost => kind == RequestKind::Api(ApiVerb::Post),
                FaultTarget::ApiPut => kind == RequestKind::Api(ApiVerb::Put),
                FaultTarget::ApiDelete => kind == RequestKind::Api(ApiVerb::Delete),
                FaultTarget::Any => kind != RequestKind::Other,
            };
            // A denial only means something where there is a consent to deny.
            let fault_applies = queued.fault != Fault::Deny || kind == RequestKind::Authorize;
            target_matches && fault_applies
        })?;
        let queued = self.0.get_mut(index)?;
        queued.remaining -= 1;
        let fault = queued.fault.clone();
        if queued.remaining == 0 {
            self.0.remove(index);
        }
        Some(fault)
    }
}

/// Marks an authorization request that must be denied; the handler still validates the client
/// and redirect URI first, since an error may only be redirected to a registered URI.
#[derive(Clone, Copy)]
pub(crate) struct DenyThis;

/// What the gate does with one request past its latency: the fault it drew, if any, and
/// whether error answers echo the request.
pub(crate) struct Plan {
    fault: Option<Fault>,
    echo_errors: bool,
}

impl Plan {
    pub(crate) fn take(state: &mut State, kind: RequestKind) -> Self {
        Self {
            fault: state.faults.take(kind),
            echo_errors: state.options.echo_requests_in_errors,
        }
    }

    pub(crate) async fn run(
        self,
        shared: &Arc<Shared>,
        mut request: Request,
        next: Next,
    ) -> Response {
        let Self { fault, echo_errors } = self;
        let echo = if echo_errors || matches!(fault, Some(Fault::EchoText(_))) {
            let (rebuilt, echo) = echo::capture(request).await;
            request = rebuilt;
            Some(echo)
        } else {
            None
        };
        let response = match fault {
            None => next.run(request).await,
            Some(Fault::Deny) => {
                request.extensions_mut().insert(DenyThis);
                next.run(request).await
            }
            Some(Fault::EchoText(status)) => {
                return echo::plain(status, echo.as_deref().unwrap_or_default());
            }
            Some(Fault::Hold) => {
                tokio::select! {
                    permit = shared.held.acquire() => {
                        if let Ok(permit) = permit {
                            permit.forget();
                        }
                        next.run(request).await
                    }
                    () = shared.cancel.cancelled() => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                }
            }
            Some(Fault::Hang) => {
                // Waiting on the shutdown signal rather than forever lets the server stop cleanly.
                shared.cancel.cancelled().await;
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
            Some(other) => fault_response(&other),
        };
        match echo {
            Some(echo) if echo_errors => echo::into_description(response, &echo).await,
            _ => response,
        }
    }
}

fn fault_response(fault: &Fault) -> Response {
    match *fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            OAuthError::server_error(status).into_response()
        }
        Fault::TooManyRequests { retry_after } => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":"TooManyRequests","description":"Rate limit exceeded"}"#,
            )
                .into_response();
            if let Some(secs) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
        Fault::MalformedJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"access_token":"abc","token_type":"bearer","expires_in":18"#,
        )
            .into_response(),
        Fault::ResetMidBody => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(ReaderStream::new(CutOff::new())),
        )
            .into_response(),
        Fault::Unauthorized => {
            OAuthError::invalid_token("The access token provided is invalid.").into_response()
        }
        // Handled before this point; answering something keeps the match total.
        Fault::Hang | Fault::Hold | Fault::Deny | Fault::EchoText(_) => {
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// A body that yields a first chunk, waits long enough for it to reach the client, then fails:
/// hyper answers a failing body by closing the connection without ending the chunked body.
struct CutOff {
    first: Option<&'static [u8]>,
    pause: Pin<Box<Sleep>>,
}

impl CutOff {
    fn new() -> Self {
        Self {
            first: Some(br#"{"access_token":"partial-"#),
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        }
    }
}

impl AsyncRead for CutOff {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(first) = self.first.take() {
            let n = first.len().min(buf.remaining());
            buf.put_slice(&first[..n]);
            return Poll::Ready(Ok(()));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "injected reset",
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_and_run_out() {
        let mut queue = FaultQueue::default();
        queue.push(FaultTarget::Token, Fault::Status(503), 2);
        queue.push(FaultTarget::Any, Fault::MalformedJson, 1);
        assert_eq!(
            queue.take(RequestKind::Api(ApiVerb::Get)),
            Some(Fault::MalformedJson)
        );
        assert_eq!(queue.take(RequestKind::Token), Some(Fault::Status(503)));
        assert_eq!(queue.take(RequestKind::Token), Some(Fault::Status(503)));
        assert_eq!(queue.take(RequestKind::Token), None);
    }

    #[test]
    fn api_faults_can_pick_a_method() {
        let mut queue = FaultQueue::default();
        queue.push(FaultTarget::ApiPost, Fault::Status(502), 1);
        queue.push(FaultTarget::ApiGet, Fault::Status(503), 2);
        let (get, post) = (
            RequestKind::Api(ApiVerb::Get),
            RequestKind::Api(ApiVerb::Post),
        );
        assert_eq!(queue.take(RequestKind::Api(ApiVerb::Put)), None);
        assert_eq!(queue.take(get), Some(Fault::Status(503)));
        assert_eq!(queue.take(post), Some(Fault::Status(502)));
        assert_eq!(queue.take(post), None);
        assert_eq!(queue.take(get), Some(Fault::Status(503)));
        assert_eq!(queue.take(get), None);
    }

    #[test]
    fn deny_only_hits_authorization_requests() {
        let mut queue = FaultQueue::default();
        queue.push(FaultTarget::Any, Fault::Deny, 1);
        assert_eq!(queue.take(RequestKind::Token), None);
        assert_eq!(queue.take(RequestKind::Other), None);
        assert_eq!(queue.take(RequestKind::Authorize), Some(Fault::Deny));
    }
}
