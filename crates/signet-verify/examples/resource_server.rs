//! A resource server protected by Signet tokens.
//!
//! ```sh
//! cargo run -p signet-verify --example resource_server -- http://localhost:8080 https://api.example.com
//! # then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/hello
//! ```

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use signet_verify::layer::{require_scope, Bearer};
use signet_verify::Verifier;

async fn hello(Bearer(claims): Bearer) -> String {
    format!("hello {} (client {}, scopes: {})\n", claims.sub, claims.client_id, claims.scope)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let issuer = args.next().unwrap_or_else(|| "http://localhost:8080".into());
    let audience = args.next().unwrap_or_else(|| "https://api.example.com".into());
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:3000".into());
    let verifier = Arc::new(Verifier::discover(&issuer, &audience).await?);
    let app = Router::new().route("/hello", get(hello)).layer(require_scope(verifier, "read"));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("resource server on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
