-- The office's portal keeps its accounts, receipts and audit log in a database of its own
-- (docker-compose.yml, service portal); run once, when the PostgreSQL volume is created.
CREATE DATABASE portal;
