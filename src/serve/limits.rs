//! Per-caller request rate: a token bucket per caller that refills `rate_per_minute` a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Buckets by caller name. A caller may burst up to its whole minute's allowance, then gets
/// one request per `60 / rate` seconds.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Take one request from `name`'s bucket; Err(seconds to wait) when it is empty.
    pub fn check(&self, name: &str, rate_per_minute: u32, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(rate_per_minute);
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            // A poisoned lock only means another request panicked mid-update; limiting
            // nobody is better than refusing everybody.
            return Ok(());
        };
        let bucket = buckets.entry(name.to_string()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_to_the_rate_then_refills_over_the_minute() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check("a", 3, t0), Ok(()));
        }
        assert_eq!(limiter.check("a", 3, t0), Err(20));
        assert_eq!(limiter.check("b", 3, t0), Ok(()), "buckets are per caller");
        assert_eq!(limiter.check("a", 3, t0 + Duration::from_secs(10)), Err(10));
        assert_eq!(limiter.check("a", 3, t0 + Duration::from_secs(20)), Ok(()));
    }
}
