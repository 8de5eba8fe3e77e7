DROP TABLE api_rate_windows;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
