//! HTTPS client to the collector: rustls on `ring`, trusting only the configured CA.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use vigie_model::enroll::{EnrollRequest, EnrollResponse};
use vigie_model::wire::{self, Ack, Refusal, RemoteSettings, SealedBatch};

use crate::identity::Identity;

/// How long one request may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: network trouble, timeout, 503 (with the server's Retry-After).
    #[error("collector unavailable: {reason}")]
    Retry {
        /// What happened.
        reason: String,
        /// How long the collector asked us to wait.
        after: Option<Duration>,
    },
    /// The collector refused the request; retrying the same request will not help.
    #[error("collector refused ({status}): {} [{}]", .refusal.message, .refusal.code)]
    Refused {
        /// HTTP status.
        status: u16,
        /// The collector's explanation.
        refusal: Refusal,
    },
}

/// A connection pool to one collector.
#[derive(Clone)]
pub struct CollectorClient {
    base: String,
    http: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl CollectorClient {
    /// A client for `base_url` (https) trusting only the CA certificates in `ca_file`.
    pub fn new(base_url: &str, ca_file: &Path) -> anyhow::Result<CollectorClient> {
        use anyhow::Context;
        let mut roots = rustls::RootCertStore::empty();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(ca_file)
            .with_context(|| format!("reading CA file {}", ca_file.display()))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("parsing CA file {}", ca_file.display()))?;
        if certs.is_empty() {
            anyhow::bail!("CA file {} holds no certificate", ca_file.display());
        }
        for cert in certs {
            roots
                .add(cert)
                .with_context(|| format!("CA file {}", ca_file.display()))?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(
            rustls::crypto::ring::default_provider().into(),
        )
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new())
            // Below the collector's 20 s deadline for a request's headers, which also
            // closes idle connections: never reuse one the collector is closing.
            .pool_idle_timeout(Duration::from_secs(10))
            .build(connector);
        Ok(CollectorClient {
            base: base_url.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// Enrolls with a token; returns the agent's id.
    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse, SendError> {
        let body = serde_json::to_vec(request).expect("enroll request serializes");
        let req = Request::post(format!("{}{}", self.base, wire::ENROLL_PATH))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("valid request");
        let bytes = self.call(req).await?;
        serde_json::from_slice(&bytes).map_err(|e| SendError::Retry {
            reason: format!("unreadable enrollment answer: {e}"),
            after: None,
        })
    }

    /// The collector's clock (from its `Date` header), asking `/healthz`: proves it is
    /// reachable and that its certificate is signed by our CA. `None` without a date.
    pub async fn server_time(&self) -> Result<Option<u64>, SendError> {
        let req = Request::get(format!("{}/healthz", self.base))
            .body(Full::new(Bytes::new()))
            .expect("valid request");
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.http.request(req))
            .await
            .map_err(|_| SendError::Retry {
                reason: "request timed out".into(),
                after: None,
            })?
            .map_err(|e| SendError::Retry {
                reason: format!("{e:?}"),
                after: None,
            })?;
        Ok(response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(vigie_model::time::parse_http_date))
    }

    /// Asks the collector for this agent's group settings (signed, empty body).
    pub async fn fetch_settings(&self, identity: &Identity) -> Result<RemoteSettings, SendError> {
        let request = SignedPost {
            purpose: wire::Purpose::AgentConfig,
            path: wire::CONFIG_PATH,
            content_type: None,
            zstd: false,
            dropped_total: 0,
        };
        let bytes = self.signed_post(identity, request, Vec::new()).await?;
        read_json(&bytes, "settings")
    }

    /// Sends one sealed batch, signed; returns the collector's acknowledgement.
    pub async fn send_batch(
        &self,
        identity: &Identity,
        batch: &SealedBatch,
        dropped_total: u64,
    ) -> Result<Ack, SendError> {
        let request = SignedPost {
            purpose: wire::Purpose::Batch,
            path: wire::BATCH_PATH,
            content_type: Some(wire::BATCH_CONTENT_TYPE),
            zstd: true,
            dropped_total,
        };
        let bytes = self
            .signed_post(identity, request, batch.bytes.clone())
            .await?;
        read_json(&bytes, "acknowledgement")
    }

    /// Sends several batches, in order, in one request (`wire::frame`); the
    /// acknowledgement covers them all. Collectors older than this answer 404.
    pub async fn send_batches(
        &self,
        identity: &Identity,
        batches: &[SealedBatch],
        dropped_total: u64,
    ) -> Result<Ack, SendError> {
        let request = SignedPost {
            purpose: wire::Purpose::Batches,
            path: wire::BATCHES_PATH,
            content_type: Some(wire::BATCHES_CONTENT_TYPE),
            zstd: false,
            dropped_total,
        };
        let body = wire::frame(batches.iter().map(|b| b.bytes.as_slice()));
        let bytes = self.signed_post(identity, request, body).await?;
        read_json(&bytes, "acknowledgement")
    }

    /// Posts `body` signed for `request.purpose`: the signature covers the agent, the
    /// time, the dropped count and the body's SHA-256 (a sealed batch's hash is that).
    async fn signed_post(
        &self,
        identity: &Identity,
        request: SignedPost,
        body: Vec<u8>,
    ) -> Result<Bytes, SendError> {
        let time = vigie_model::event::now_ms();
        let message = wire::signing_message(
            request.purpose,
            &identity.agent_id,
            time,
            request.dropped_total,
            &vigie_model::hex::sha256(&body),
        );
        let mut req = Request::post(format!("{}{}", self.base, request.path));
        if let Some(content_type) = request.content_type {
            req = req.header("content-type", content_type);
        }
        if request.zstd {
            req = req.header("content-encoding", "zstd");
        }
        let req = req
            .header(wire::HEADER_AGENT, &identity.agent_id)
            .header(wire::HEADER_TIME, time.to_string())
            .header(wire::HEADER_DROPPED, request.dropped_total.to_string())
            .header(wire::HEADER_SIGNATURE, identity.sign(&message))
            .body(Full::new(Bytes::from(body)))
            .expect("valid request");
        self.call(req).await
    }

    /// Posts `body` to `path` with extra `headers` and returns the status and body as they
    /// come: for tools and tests that need to send what the agent never would.
    pub async fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<(u16, Bytes), SendError> {
        let mut req = Request::post(format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| SendError::Retry {
                reason: e.to_string(),
                after: None,
            })?;
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.http.request(req))
            .await
            .map_err(|_| SendError::Retry {
                reason: "request timed out".into(),
                after: None,
            })?
            .map_err(|e| SendError::Retry {
                reason: format!("{e:?}"),
                after: None,
            })?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| SendError::Retry {
                reason: e.to_string(),
                after: None,
            })?
            .to_bytes();
        Ok((status, body))
    }

    async fn call(&self, req: Request<Full<Bytes>>) -> Result<Bytes, SendError> {
        let retry = |reason: String| SendError::Retry {
            reason,
            after: None,
        };
        let response = tokio::time::timeout(REQUEST_TIMEOUT, self.http.request(req))
            .await
            .map_err(|_| retry("request timed out".into()))?
            .map_err(|e| retry(format!("{e:?}")))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = tokio::time::timeout(REQUEST_TIMEOUT, response.into_body().collect())
            .await
            .map_err(|_| retry("response timed out".into()))?
            .map_err(|e| retry(e.to_string()))?
            .to_bytes();
        if status.is_success() {
            return Ok(body);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE
            || status == StatusCode::TOO_MANY_REQUESTS
            || status.is_server_error()
        {
            return Err(SendError::Retry {
                reason: format!("HTTP {status}: {}", String::from_utf8_lossy(&body)),
                after: retry_after,
            });
        }
        let refusal = serde_json::from_slice(&body).unwrap_or_else(|_| Refusal {
            code: "http_error".into(),
            message: format!("HTTP {status}"),
            message_fr: format!("HTTP {status}"),
        });
        Err(SendError::Refused {
            status: status.as_u16(),
            refusal,
        })
    }
}

/// What a signed request is for and how its body travels.
struct SignedPost {
    purpose: wire::Purpose,
    path: &'static str,
    content_type: Option<&'static str>,
    zstd: bool,
    dropped_total: u64,
}

/// Reads the collector's JSON answer; an unreadable one is retried later.
fn read_json<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, SendError> {
    serde_json::from_slice(bytes).map_err(|e| SendError::Retry {
        reason: format!("unreadable {what}: {e}"),
        after: None,
    })
}
