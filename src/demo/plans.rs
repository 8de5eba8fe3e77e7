//! The demo's plans: five objectives with three key results of four actions each, spread
//! over the two workspaces.

pub(super) struct Plan {
    pub objective: &'static str,
    pub key_results: [(&'static str, [&'static str; 4]); 3],
}

pub(super) const PRODUCT: &[Plan] = &[
    Plan {
        objective: "Make onboarding effortless",
        key_results: [
            (
                "Activation within 7 days from 32% to 45%",
                [
                    "Interview ten new customers",
                    "Ship the guided setup checklist",
                    "Add sample data to empty workspaces",
                    "Instrument the activation funnel",
                ],
            ),
            (
                "Time to first objective under 5 minutes",
                [
                    "Cut the sign-up form to three fields",
                    "Add objective templates",
                    "Record a two-minute walkthrough",
                    "Run a usability test with five teams",
                ],
            ),
            (
                "Onboarding satisfaction score of 8 or more",
                [
                    "Send a day-3 check-in email",
                    "Add in-app help on the tree page",
                    "Triage onboarding support tickets weekly",
                    "Publish the getting-started guide",
                ],
            ),
        ],
    },
    Plan {
        objective: "Be fast everywhere",
        key_results: [
            (
                "Tree page under 50 ms at 1,000 items",
                [
                    "Profile the tree query",
                    "Remove per-row queries",
                    "Cache static assets for a year",
                    "Add a benchmark to CI",
                ],
            ),
            (
                "Board drags saved within 100 ms",
                [
                    "Batch position writes",
                    "Measure drag latency in the browser",
                    "Add optimistic updates",
                    "Load-test with 16 clients",
                ],
            ),
            (
                "99.9% of requests succeed",
                [
                    "Add readiness checks",
                    "Alert on error budget burn",
                    "Retry transient database errors",
                    "Write the incident runbook",
                ],
            ),
        ],
    },
    Plan {
        objective: "Earn enterprise trust",
        key_results: [
            (
                "Pass the security review of three large customers",
                [
                    "Document the data model",
                    "Run a third-party penetration test",
                    "Add audit log export",
                    "Write the security whitepaper",
                ],
            ),
            (
                "Single sign-on for all paid plans",
                [
                    "Spike SAML libraries",
                    "Build the SSO settings page",
                    "Test with two identity providers",
                    "Document SSO set-up",
                ],
            ),
            (
                "Zero data-loss incidents",
                [
                    "Automate nightly backups",
                    "Test a full restore monthly",
                    "Add point-in-time recovery",
                    "Review retention policies",
                ],
            ),
        ],
    },
];

pub(super) const GO_TO_MARKET: &[Plan] = &[
    Plan {
        objective: "Grow recurring revenue",
        key_results: [
            (
                "ARR from 1.2M to 2M",
                [
                    "Launch the new pricing page",
                    "Run a win-back campaign",
                    "Add annual billing discount",
                    "Review the sales pipeline weekly",
                ],
            ),
            (
                "Net revenue retention above 110%",
                [
                    "Introduce seat-based expansion",
                    "Quarterly business reviews with top 20 accounts",
                    "Build a usage health score",
                    "Offer a workspace add-on",
                ],
            ),
            (
                "Sales cycle under 30 days",
                [
                    "Publish case studies",
                    "Create a self-serve trial path",
                    "Train the team on discovery calls",
                    "Standardize the proposal template",
                ],
            ),
        ],
    },
    Plan {
        objective: "Become the OKR tool teams recommend",
        key_results: [
            (
                "NPS from 31 to 45",
                [
                    "Close the loop on every detractor",
                    "Ship the three most requested features",
                    "Start a customer advisory board",
                    "Publish a public roadmap",
                ],
            ),
            (
                "200 customer reviews on software directories",
                [
                    "Ask happy customers for reviews",
                    "Add a review prompt after 30 days",
                    "Respond to every review",
                    "Feature reviews on the website",
                ],
            ),
            (
                "Referral share of sign-ups at 20%",
                [
                    "Launch the referral program",
                    "Add an invite-a-colleague nudge",
                    "Reward referrers with credits",
                    "Track referral attribution",
                ],
            ),
        ],
    },
];
