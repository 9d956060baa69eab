//! The run's event log: numbers each event, hands it to every observer in order, keeps the
//! backlog, and lets late or slow subscribers follow without ever slowing the run.

use super::events::{Activity, Envelope, Event};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Events a slow subscriber may fall behind by before it must catch up from the backlog.
const SUBSCRIBER_BUFFER: usize = 1024;

/// A consumer that must see every event, in order: terminal output, `--json`, the history
/// writer, the run folder. Called synchronously, so it must be quick (hand slow I/O to a thread).
pub trait Observer: Send {
    /// An error means the consumer lost a fact; the run stops with that error.
    fn on_event(&mut self, event: &Envelope) -> Result<(), String>;

    /// Short-lived progress (spinners); never recorded.
    fn on_activity(&mut self, _activity: &Activity) {}

    /// The run is over: flush and release. Called once, after the last event.
    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
}

struct Inner {
    seq: u64,
    observers: Vec<Box<dyn Observer>>,
    backlog: Vec<Arc<Envelope>>,
    fault: Option<String>,
    closed: bool,
}

pub struct EventLog {
    run_id: String,
    inner: Mutex<Inner>,
    subscribers: broadcast::Sender<Arc<Envelope>>,
}

impl EventLog {
    pub fn new(run_id: String, observers: Vec<Box<dyn Observer>>) -> Self {
        let (subscribers, _) = broadcast::channel(SUBSCRIBER_BUFFER);
        EventLog {
            run_id,
            inner: Mutex::new(Inner {
                seq: 0,
                observers,
                backlog: Vec::new(),
                fault: None,
                closed: false,
            }),
            subscribers,
        }
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Record `event`: give it the next `seq` and deliver it. Ignored once the log is closed.
    pub fn emit(&self, event: Event) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        inner.seq += 1;
        let envelope = Arc::new(Envelope {
            run_id: self.run_id.clone(),
            seq: inner.seq,
            event,
        });
        let mut fault = None;
        for o in inner.observers.iter_mut() {
            if let Err(e) = o.on_event(&envelope) {
                fault.get_or_insert(e);
            }
        }
        if inner.fault.is_none() {
            inner.fault = fault;
        }
        inner.backlog.push(envelope.clone());
        // No receiver is not an error: subscribers come and go.
        let _ = self.subscribers.send(envelope);
    }

    pub fn activity(&self, activity: Activity) {
        let mut inner = self.lock();
        for o in inner.observers.iter_mut() {
            o.on_activity(&activity);
        }
    }

    /// Every event so far, and a receiver for those after them: nothing missed, nothing twice.
    pub fn subscribe(&self) -> (Vec<Arc<Envelope>>, broadcast::Receiver<Arc<Envelope>>) {
        let inner = self.lock();
        (inner.backlog.clone(), self.subscribers.subscribe())
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<Arc<Envelope>> {
        self.lock().backlog.clone()
    }

    /// The first fact a recording observer failed to keep, if any.
    pub fn fault(&self) -> Option<String> {
        self.lock().fault.clone()
    }

    /// Close every observer (after the last event); returns the first failure.
    pub fn close(&self) -> Result<(), String> {
        let mut inner = self.lock();
        inner.closed = true;
        let mut first = None;
        for o in inner.observers.iter_mut() {
            if let Err(e) = o.close() {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Arc<Mutex<Vec<u64>>>);
    impl Observer for Collect {
        fn on_event(&mut self, e: &Envelope) -> Result<(), String> {
            self.0.lock().unwrap().push(e.seq);
            if e.seq == 2 {
                Err("disk full".into())
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn numbers_from_one_keeps_backlog_and_reports_first_fault() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = EventLog::new("R".into(), vec![Box::new(Collect(seen.clone()))]);
        log.emit(Event::IterationStarted { n: 1 });
        let (backlog, mut rx) = log.subscribe();
        log.emit(Event::IterationStarted { n: 2 });
        log.emit(Event::IterationStarted { n: 3 });
        assert_eq!(*seen.lock().unwrap(), vec![1, 2, 3]);
        assert_eq!(backlog.len(), 1);
        assert_eq!(rx.recv().await.unwrap().seq, 2);
        assert_eq!(rx.recv().await.unwrap().seq, 3);
        assert_eq!(log.fault().as_deref(), Some("disk full"));
        log.close().unwrap();
        log.emit(Event::IterationStarted { n: 4 });
        assert_eq!(log.events().len(), 3, "nothing is recorded after close");
    }
}
