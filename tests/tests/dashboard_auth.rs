//! The dashboard's doors: sign-in with CSRF and throttling, sessions, sign-out.

use vigie_tests::{http, Stack};

fn form(port: u16, cookie: &str, body: &str) -> vigie_tests::HttpResponse {
    http(
        port,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", cookie),
        ],
        body,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_refuses_what_it_should_and_sign_out_needs_the_csrf_token() {
    let stack = Stack::start("").await;
    let dashboard = stack.start_dashboard("right-password").await;
    let port = dashboard.port;

    assert_eq!(http(port, "GET", "/healthz", &[], "").status, 200);
    // No session: pages redirect to the login form, the API answers 401.
    let page = http(port, "GET", "/alerts", &[], "");
    assert_eq!(page.status, 303);
    assert!(page
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("location") && v == "/login"));
    let api = http(
        port,
        "GET",
        "/api/v1/alerts",
        &[("Accept-Language", "fr-FR,fr;q=0.9")],
        "",
    );
    assert_eq!(api.status, 401);
    assert!(api.body.contains("Connectez-vous"), "{}", api.body);

    // The login form comes in the browser's language.
    let login = http(port, "GET", "/login", &[("Accept-Language", "fr")], "");
    assert!(login.body.contains("Mot de passe"));
    let cookie = login
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("vigie_login_csrf="))
        .unwrap();
    let csrf = cookie.split_once('=').unwrap().1.to_string();

    // A form without the matching CSRF token is refused.
    let forged = form(
        port,
        "",
        &format!("username=admin&password=right-password&csrf={csrf}"),
    );
    assert_eq!(forged.status, 403);
    // SQL-looking input is just a wrong user name.
    let injection = form(
        port,
        &cookie,
        &format!("username=admin'%20OR%20'1'='1&password=x&csrf={csrf}"),
    );
    assert_eq!(injection.status, 401);
    // Five wrong passwords, then even the right one waits.
    for _ in 0..5 {
        assert_eq!(
            form(
                port,
                &cookie,
                &format!("username=admin&password=wrong&csrf={csrf}")
            )
            .status,
            401
        );
    }
    let throttled = form(
        port,
        &cookie,
        &format!("username=admin&password=right-password&csrf={csrf}"),
    );
    assert_eq!(throttled.status, 429);

    // The session from before still works; the session cookie is HttpOnly and strict.
    let alerts = http(
        port,
        "GET",
        "/alerts",
        &[("Cookie", &dashboard.session)],
        "",
    );
    assert_eq!(alerts.status, 200);
    let login_again = http(port, "GET", "/login", &[], "");
    assert!(login_again
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("set-cookie")
            && v.contains("HttpOnly")
            && v.contains("SameSite=Strict")));

    // Sign-out needs the session's CSRF token, then the session is gone.
    let no_token = http(
        port,
        "POST",
        "/logout",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &dashboard.session),
        ],
        "csrf=forged",
    );
    assert_eq!(no_token.status, 403);
    let token = alerts
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let out = http(
        port,
        "POST",
        "/logout",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &dashboard.session),
        ],
        &format!("csrf={token}"),
    );
    assert_eq!(out.status, 303);
    assert_eq!(
        http(
            port,
            "GET",
            "/api/v1/alerts",
            &[("Cookie", &dashboard.session)],
            ""
        )
        .status,
        401
    );
}
