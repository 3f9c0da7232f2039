//! Delivering one notice over a channel's transport: e-mail (SMTP with STARTTLS or TLS,
//! and authentication), webhook (JSON over HTTPS, signed with HMAC-SHA256 over the
//! time and the body), syslog (RFC 5424 over TLS per RFC 5425, or TCP to this machine).
//! Each call either delivers or says why not; retrying is the outbox's business.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use bytes::Bytes;
use http_body_util::Full;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncWriteExt;
use vigie_model::i18n::Lang;

use super::config::{ChannelConfig, SmtpConfig, SyslogConfig, WebhookConfig};
use super::message::Notice;

/// How long one delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// Sends `notice` over `channel`; `dashboard_url` makes the links, `hostname` names
/// this collector in syslog headers.
pub async fn deliver(
    channel: &ChannelConfig,
    notice: &Notice,
    dashboard_url: &str,
    hostname: &str,
) -> anyhow::Result<()> {
    let lang = Lang::parse(&channel.language).unwrap_or(Lang::En);
    let sending = async {
        if let Some(smtp) = &channel.smtp {
            send_mail(smtp, &channel.name, notice, lang, dashboard_url).await
        } else if let Some(webhook) = &channel.webhook {
            post_webhook(webhook, notice, dashboard_url).await
        } else if let Some(syslog) = &channel.syslog {
            send_syslog(syslog, notice, dashboard_url, hostname).await
        } else {
            Err(anyhow!("no transport"))
        }
    };
    tokio::time::timeout(DELIVERY_TIMEOUT, sending)
        .await
        .map_err(|_| anyhow!("no answer within {} s", DELIVERY_TIMEOUT.as_secs()))?
}

/// The roots to trust: the CA file given, else the system's.
fn client_tls(ca_file: Option<&Path>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in CertificateDer::pem_file_iter(path)
                .with_context(|| format!("CA file {}", path.display()))?
            {
                roots
                    .add(cert.with_context(|| format!("CA file {}", path.display()))?)
                    .with_context(|| format!("CA file {}", path.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system certificate rustls cannot use is skipped, as browsers do.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(anyhow!("no CA certificate to trust"));
    }
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(
            rustls::crypto::ring::default_provider().into(),
        )
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots)
        .with_no_client_auth(),
    ))
}

async fn send_mail(
    smtp: &SmtpConfig,
    channel: &str,
    notice: &Notice,
    lang: Lang,
    dashboard_url: &str,
) -> anyhow::Result<()> {
    let mut params = TlsParameters::builder(smtp.server.clone());
    if let Some(ca) = &smtp.ca_file {
        let pem = std::fs::read(ca).with_context(|| format!("CA file {}", ca.display()))?;
        params = params
            .certificate_store(CertificateStore::None)
            .add_root_certificate(Certificate::from_pem(&pem).context("CA file")?);
    }
    let params = params.build_rustls().context("TLS parameters")?;
    let tls = match smtp.security.as_str() {
        "tls" => Tls::Wrapper(params),
        "none" => Tls::None,
        _ => Tls::Required(params),
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.server)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(DELIVERY_TIMEOUT));
    if let (Some(user), Some(file)) = (&smtp.user, &smtp.password_file) {
        let password = std::fs::read_to_string(file)
            .with_context(|| format!("password file {}", file.display()))?;
        transport =
            transport.credentials(Credentials::new(user.clone(), password.trim().to_string()));
    }
    let from: Mailbox = smtp
        .from
        .parse()
        .with_context(|| format!("from {:?}", smtp.from))?;
    let mut message = lettre::Message::builder()
        .from(from)
        .subject(notice.subject(lang))
        // The same id every time this notice is sent: a repeat is recognisable.
        .message_id(Some(format!("<{}.{}@vigie>", notice.id(), channel)))
        .header(ContentType::TEXT_PLAIN);
    for to in &smtp.to {
        message = message.to(to.parse().with_context(|| format!("to {to:?}"))?);
    }
    let message = message
        .body(notice.text(lang, dashboard_url))
        .context("building the mail")?;
    transport.build().send(message).await.context("SMTP")?;
    Ok(())
}

async fn post_webhook(
    webhook: &WebhookConfig,
    notice: &Notice,
    dashboard_url: &str,
) -> anyhow::Result<()> {
    let key = std::fs::read(&webhook.secret_file)
        .with_context(|| format!("secret file {}", webhook.secret_file.display()))?;
    let key = String::from_utf8_lossy(&key).trim().as_bytes().to_vec();
    let body = serde_json::to_vec(&notice.json(dashboard_url)).expect("JSON");
    let time = (vigie_model::event::now_ms() / 1000).to_string();
    let signature = signature(&key, &time, &body);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config((*client_tls(webhook.ca_file.as_deref())?).clone())
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let request = hyper::Request::post(&webhook.url)
        .header("content-type", "application/json")
        .header("x-vigie-delivery", notice.id())
        .header("x-vigie-timestamp", &time)
        .header("x-vigie-signature", format!("sha256={signature}"))
        .body(Full::new(Bytes::from(body)))
        .context("webhook URL")?;
    let response = client.request(request).await.context("webhook")?;
    let status = response.status();
    if !status.is_success() {
        return Err(anyhow!("webhook answered {status}"));
    }
    Ok(())
}

/// HMAC-SHA256 of `time.body` with `key`, in hex: what a receiver recomputes to know
/// the message is Vigie's and recent.
pub fn signature(key: &[u8], time: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(time.as_bytes());
    context.update(b".");
    context.update(body);
    vigie_model::hex::encode(context.sign().as_ref())
}

async fn send_syslog(
    syslog: &SyslogConfig,
    notice: &Notice,
    dashboard_url: &str,
    hostname: &str,
) -> anyhow::Result<()> {
    let frames = notice.syslog_frames(syslog.facility, &syslog.format, hostname, dashboard_url);
    let tcp = tokio::net::TcpStream::connect(&syslog.address)
        .await
        .with_context(|| format!("syslog {}", syslog.address))?;
    if syslog.tls {
        let host = syslog
            .server_name
            .clone()
            .unwrap_or_else(|| host_of(&syslog.address));
        let name =
            ServerName::try_from(host.clone()).with_context(|| format!("server name {host:?}"))?;
        let connector = tokio_rustls::TlsConnector::from(client_tls(syslog.ca_file.as_deref())?);
        let mut stream = connector.connect(name, tcp).await.context("syslog TLS")?;
        write_frames(&mut stream, &frames).await
    } else {
        let mut stream = tcp;
        write_frames(&mut stream, &frames).await
    }
}

/// `host` of `host:port` (`[v6]:port` too).
fn host_of(address: &str) -> String {
    let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_string()
}

async fn write_frames<S: tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
    frames: &[Vec<u8>],
) -> anyhow::Result<()> {
    for frame in frames {
        stream.write_all(frame).await.context("syslog write")?;
    }
    stream.flush().await.context("syslog write")?;
    stream.shutdown().await.context("syslog close")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let s = signature(b"key", "1764000000", b"{}");
        assert_eq!(s.len(), 64);
        assert_ne!(
            s,
            signature(b"key", "1764000001", b"{}"),
            "a replay at another time"
        );
        assert_ne!(s, signature(b"key", "1764000000", b"{ }"), "another body");
        assert_ne!(s, signature(b"other", "1764000000", b"{}"), "another key");
        assert_eq!(host_of("[2001:db8::1]:6514"), "2001:db8::1");
        assert_eq!(host_of("siem.example:6514"), "siem.example");
    }
}
