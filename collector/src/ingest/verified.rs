//! The only way an agent-facing handler learns who is calling: [`VerifiedAgent`], an
//! axum extractor that exists only once the claimed agent is known and not revoked, its
//! body has been read (bounded in size and time), its Ed25519 signature over that body
//! checks for the purpose the request path stands for, and its clock is close to ours.
//! Its fields are private to this module, so no handler can make one by hand (as rustls'
//! `ServerCertVerified` can only come from a verifier).

use std::sync::Arc;
use std::time::Duration;
use vigie_model::i18n::Msg;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ring::signature::{UnparsedPublicKey, ED25519};
use vigie_model::event::now_ms;
use vigie_model::wire::{self, Purpose};

use super::state::Collector;
use crate::error::ApiError;

/// Longest a client may take to send a request body: a peer trickling bytes cannot hold
/// the request open for longer.
const BODY_DEADLINE: Duration = Duration::from_secs(30);

/// A request whose agent and signature have been checked.
#[derive(Debug)]
pub struct VerifiedAgent {
    agent_id: String,
    dropped: u64,
    body: Bytes,
}

impl VerifiedAgent {
    /// The agent that signed the request.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// Events the agent says it has dropped in all (signed).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The signed body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
}

/// What the headers claim, before anything is checked.
struct Claim {
    agent_id: String,
    time_ms: u64,
    dropped: u64,
    signature: Vec<u8>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, Msg::MissingHeader, name))
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    header(headers, name)?
        .parse()
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, Msg::MissingHeader, name))
}

impl Claim {
    fn parse(headers: &HeaderMap) -> Result<Claim, ApiError> {
        Ok(Claim {
            agent_id: header(headers, wire::HEADER_AGENT)?.to_string(),
            time_ms: number(headers, wire::HEADER_TIME)?,
            dropped: number(headers, wire::HEADER_DROPPED)?,
            signature: B64
                .decode(header(headers, wire::HEADER_SIGNATURE)?)
                .map_err(|_| {
                    ApiError::new(StatusCode::UNAUTHORIZED, Msg::BadSignature, "not base64")
                })?,
        })
    }
}

impl FromRequest<Arc<Collector>> for VerifiedAgent {
    type Rejection = ApiError;

    async fn from_request(req: Request, c: &Arc<Collector>) -> Result<Self, ApiError> {
        let agent = req
            .headers()
            .get(wire::HEADER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_string();
        let path = req.uri().path().to_string();
        verify(req, c).await.inspect_err(|e| {
            tracing::warn!(agent, path, code = e.code(), error = ?e, "request refused");
        })
    }
}

async fn verify(req: Request, c: &Collector) -> Result<VerifiedAgent, ApiError> {
    let purpose = Purpose::for_path(req.uri().path()).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, Msg::NoSuchEndpoint, req.uri().path())
    })?;
    let (parts, body) = req.into_parts();
    let claim = Claim::parse(&parts.headers)?;
    // Who first, from the headers alone: an unknown or revoked agent's body is never read.
    let agent = c.registry.get(&claim.agent_id).await.ok_or_else(|| {
        ApiError::new(StatusCode::UNAUTHORIZED, Msg::UnknownAgent, &claim.agent_id)
    })?;
    if agent.revoked != 0 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Msg::RevokedAgent,
            &claim.agent_id,
        ));
    }
    let max = c.config().max_body_bytes;
    let body = match tokio::time::timeout(BODY_DEADLINE, axum::body::to_bytes(body, max)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::BatchTooLarge,
                format!("body over {max} bytes"),
            ))
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                Msg::BodyTooSlow,
                format!("body not received within {} s", BODY_DEADLINE.as_secs()),
            ))
        }
    };
    let message = wire::signing_message(
        purpose,
        &claim.agent_id,
        claim.time_ms,
        claim.dropped,
        &vigie_model::hex::sha256(&body),
    );
    let public_key = B64.decode(&agent.public_key).unwrap_or_default();
    UnparsedPublicKey::new(&ED25519, &public_key)
        .verify(&message, &claim.signature)
        .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, Msg::BadSignature, ""))?;
    let skew = now_ms().abs_diff(claim.time_ms);
    if skew > c.config().max_clock_skew_secs * 1000 {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            Msg::StaleRequest,
            format!("{} s apart", skew / 1000),
        ));
    }
    Ok(VerifiedAgent {
        agent_id: claim.agent_id,
        dropped: claim.dropped,
        body,
    })
}
