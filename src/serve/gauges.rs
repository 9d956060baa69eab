//! The server's own numbers for `GET /metrics`: queued and active runs, requests by route and code.

use prometheus::{IntCounterVec, IntGauge, Opts, Registry};

#[derive(Debug, Clone)]
pub struct ServerGauges {
    pub queued: IntGauge,
    pub active: IntGauge,
    /// By `route` (the template, `/api/v1/runs/{id}`, so ids never become label values) and
    /// status `code`.
    pub requests: IntCounterVec,
}

impl ServerGauges {
    pub fn new() -> Result<Self, prometheus::Error> {
        Ok(ServerGauges {
            queued: IntGauge::new(
                "forge_serve_runs_queued",
                "Runs waiting for a slot under --max-concurrent",
            )?,
            active: IntGauge::new("forge_serve_runs_active", "Runs this server is running now")?,
            requests: IntCounterVec::new(
                Opts::new(
                    "forge_serve_http_requests_total",
                    "HTTP requests answered, by route and status code",
                ),
                &["route", "code"],
            )?,
        })
    }

    /// Add these (shared, not copied) to a registry being built for one scrape.
    pub fn register(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        registry.register(Box::new(self.queued.clone()))?;
        registry.register(Box::new(self.active.clone()))?;
        registry.register(Box::new(self.requests.clone()))
    }
}
