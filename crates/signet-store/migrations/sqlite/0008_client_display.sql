-- What the consent page shows about a client (RFC 7591 §2 logo_uri, client_uri).
ALTER TABLE clients ADD COLUMN logo_uri TEXT;
ALTER TABLE clients ADD COLUMN client_uri TEXT;
