//! The simulated card processor: how long a confirmation spends "at the bank". By default it
//! answers at once; the control API can add a delay (to show a spinner in a demo) or hold every
//! confirmation until released (so a test can observe a request in flight without guessing
//! at timings).

use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

/// How the processor behaves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessorSettings {
    /// Every confirmation takes this long.
    pub delay_ms: u64,
    /// Confirmations wait until this turns false.
    pub hold: bool,
}

/// The processor's settings, watched by the confirmations that wait on them.
#[derive(Debug)]
pub struct Processor(watch::Sender<ProcessorSettings>);

impl Default for Processor {
    fn default() -> Self {
        Self(watch::Sender::new(ProcessorSettings::default()))
    }
}

impl Processor {
    /// The settings in force.
    pub fn settings(&self) -> ProcessorSettings {
        *self.0.borrow()
    }

    /// Replaces the settings; releasing a hold wakes every waiting confirmation.
    pub fn set(&self, settings: ProcessorSettings) {
        self.0.send_replace(settings);
    }

    /// Takes the time a card network takes: waits while held, then the delay.
    pub async fn process(&self) {
        let mut settings = self.0.subscribe();
        // The sender lives as long as `self`, so the wait only ends when the hold is released.
        let _ = settings.wait_for(|s| !s.hold).await;
        let delay = settings.borrow().delay_ms;
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hold_keeps_confirmations_waiting_until_released() {
        let processor = std::sync::Arc::new(Processor::default());
        processor.set(ProcessorSettings {
            delay_ms: 0,
            hold: true,
        });
        let waiting = tokio::spawn({
            let processor = processor.clone();
            async move { processor.process().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        processor.set(ProcessorSettings::default());
        tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .unwrap()
            .unwrap();
    }
}
