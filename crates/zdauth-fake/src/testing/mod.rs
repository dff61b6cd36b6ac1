//! What only the tests get (feature `testing`): the fault injector, the counters, hostile
//! answers, the knobs that make the fake unlike Zendesk, and handles that reach inside it.
//! Without the feature, `crate::honest` stands in for each with Zendesk's own behaviour.

mod controls;
mod counters;
mod echo;
mod faults;
mod hostile;
mod knobs;

pub use counters::Counters;
pub(crate) use counters::{ApiInFlight, InFlight};
pub(crate) use faults::{DenyThis, FaultQueue, Plan};
pub use faults::{Fault, FaultTarget};
pub use hostile::Hostile;
