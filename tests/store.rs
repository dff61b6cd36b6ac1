//! The team store (issue 16 §3) through the real binary, against a real OpenBao dev server
//! of each test's own and the fake Zendesk (strict rotation, as Zendesk): two machines share
//! one connection's tokens, a crowd on both spends each refresh token once, a lease holder
//! killed mid-refresh, the store stopped mid-run, a read-only token, a new member and
//! `rekey`, `migrate` both ways, `store list` into `import`, the agent, hostile answers.
//! Each test skips with a message when bao is missing, and fails under CI.

mod agent;
mod crowd;
mod denied;
mod down;
mod hostile;
mod import;
mod killed;
mod migrate;
mod rekey;
mod share;
