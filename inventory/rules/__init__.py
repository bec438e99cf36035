"""The inventory's rules, each defined once and named after itself, for the pages, the API,
the jobs, the reports and the optimizer's problem builder alike. They import no model, so the
models can use them too."""
