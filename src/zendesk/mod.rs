//! Zendesk's OAuth and API endpoints, spoken over reqwest.
