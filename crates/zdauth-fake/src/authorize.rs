//! `GET /oauth/authorizations/new` (Support), `GET /oauth2/authorizations/new` (Chat) and the
//! consent page's decision.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::crypto::{is_valid_challenge, random_token};
use crate::options::{Approval, FakeKind};
use crate::pages::{self, ConsentView};
use crate::params::Params;
use crate::seams::DenyThis;
use crate::state::{Code, Shared, State as FakeState};

pub(crate) const DECISION_PATH: &str = "/oauth/authorizations/decision";

/// How long a consent page stays answerable.
const CONSENT_LIFETIME: Duration = Duration::from_secs(600);

/// An approved-or-not authorization request, waiting on the consent page.
pub(crate) struct Pending {
    client_id: String,
    back: Back,
    challenge: Option<String>,
    scopes: Vec<String>,
    created: Instant,
}

/// Where answers go once the client and redirect URI are known to be genuine.
#[derive(Clone)]
struct Back {
    redirect_uri: String,
    target: Url,
    state: Option<String>,
}

impl Back {
    fn with(&self, pairs: &[(&str, &str)]) -> Response {
        let mut url = self.target.clone();
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in pairs {
                query.append_pair(key, value);
            }
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
        }
        (StatusCode::FOUND, [(header::LOCATION, url.as_str())]).into_response()
    }

    fn error(&self, error: &str, description: &str) -> Response {
        self.with(&[("error", error), ("error_description", description)])
    }

    fn denied(&self) -> Response {
        self.error(
            "access_denied",
            "The resource owner or authorization server denied the request.",
        )
    }
}

pub(crate) async fn support(
    State(shared): State<Arc<Shared>>,
    deny: Option<axum::Extension<DenyThis>>,
    RawQuery(query): RawQuery,
) -> Response {
    authorize(&shared, FakeKind::Support, query, deny.is_some())
}

pub(crate) async fn chat(
    State(shared): State<Arc<Shared>>,
    deny: Option<axum::Extension<DenyThis>>,
    RawQuery(query): RawQuery,
) -> Response {
    authorize(&shared, FakeKind::Chat, query, deny.is_some())
}

fn authorize(shared: &Shared, kind: FakeKind, query: Option<String>, deny: bool) -> Response {
    let params = match Params::from_form(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(problem) => return pages::authorization_error(&problem),
    };
    let mut state = shared.lock();
    let (client_id, public) = match params
        .get("client_id")
        .and_then(|id| state.clients.get(id))
        .filter(|client| client.kind == kind)
    {
        Some(client) => (client.identifier.clone(), client.secret.is_none()),
        None => return pages::authorization_error("The client_id is not a known OAuth client."),
    };
    let back = match registered_target(&state, &client_id, params.get("redirect_uri")) {
        Ok(target) => Back {
            redirect_uri: params.get("redirect_uri").unwrap_or_default().to_owned(),
            target,
            state: params.get("state").map(str::to_owned),
        },
        Err(problem) => return pages::authorization_error(problem),
    };
    match params.get("response_type") {
        Some("code") => {}
        None => return back.error("invalid_request", "response_type is missing"),
        Some(_) => {
            return back.error(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
    }
    let challenge = match kind {
        // Chat's server has no PKCE: whatever is sent is ignored, as there.
        FakeKind::Chat => {
            if params.get("subdomain").is_none() {
                return back.error("invalid_request", "subdomain is missing");
            }
            None
        }
        FakeKind::Support => match pkce(&params, public) {
            Ok(challenge) => challenge,
            Err(problem) => return back.error("invalid_request", problem),
        },
    };
    if deny {
        return back.denied();
    }
    let pending = Pending {
        client_id,
        back,
        challenge,
        scopes: params.scopes(),
        created: Instant::now(),
    };
    match state.options.approval {
        Approval::Auto => approve(&mut state, pending),
        Approval::Consent => {
            let request_id = random_token();
            let page = pages::consent(&ConsentView {
                client_id: &pending.client_id,
                scopes: &pending.scopes,
                redirect_uri: &pending.back.redirect_uri,
                user: &state.options.user,
                action: DECISION_PATH,
                request_id: &request_id,
            });
            let now = Instant::now();
            state
                .consents
                .retain(|_, old| now.duration_since(old.created) < CONSENT_LIFETIME);
            state.consents.insert(request_id, pending);
            page
        }
    }
}

fn registered_target(
    state: &FakeState,
    client_id: &str,
    redirect_uri: Option<&str>,
) -> Result<Url, &'static str> {
    let redirect_uri = redirect_uri.ok_or("The redirect_uri is missing.")?;
    let registered = state
        .clients
        .get(client_id)
        .is_some_and(|client| client.redirect_uris.iter().any(|uri| uri == redirect_uri));
    if !registered {
        return Err("The redirect_uri is not registered for this client.");
    }
    Url::parse(redirect_uri).map_err(|_| "The registered redirect_uri is not a valid URL.")
}

/// Public clients must use S256 PKCE; confidential ones may, and then only S256.
fn pkce(params: &Params, public: bool) -> Result<Option<String>, &'static str> {
    match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) if !public => Ok(None),
        (None, _) => Err("code_challenge is required"),
        (Some(_), method) if method != Some("S256") => Err("code_challenge_method must be S256"),
        (Some(challenge), _) if !is_valid_challenge(challenge) => {
            Err("code_challenge is not a valid S256 challenge")
        }
        (Some(challenge), _) => Ok(Some(challenge.to_owned())),
    }
}

fn approve(state: &mut FakeState, pending: Pending) -> Response {
    let code = random_token();
    let now = Instant::now();
    let lifetime = state.options.code_valid_for();
    // Used codes are kept a while past expiry so that a late replay is still recognised.
    state
        .codes
        .retain(|_, old| old.expires_at + CONSENT_LIFETIME > now);
    state.codes.insert(
        code.clone(),
        Code {
            client_id: pending.client_id,
            redirect_uri: pending.back.redirect_uri.clone(),
            challenge: pending.challenge,
            scopes: pending.scopes,
            expires_at: now + lifetime,
            grant_id: None,
            used: false,
        },
    );
    pending.back.with(&[("code", &code)])
}

/// The consent page's Allow / Deny buttons land here.
pub(crate) async fn decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(params) = Params::from_form(&body) else {
        return pages::authorization_error("The consent form was malformed.");
    };
    let mut state = shared.lock();
    let pending = params
        .get("request")
        .and_then(|id| state.consents.remove(id))
        .filter(|pending| pending.created.elapsed() < CONSENT_LIFETIME);
    let Some(pending) = pending else {
        return pages::authorization_error(
            "This consent page has expired or was already answered; start the login again.",
        );
    };
    match params.get("decision") {
        Some("allow") => approve(&mut state, pending),
        _ => pending.back.denied(),
    }
}
