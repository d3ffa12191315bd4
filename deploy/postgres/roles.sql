-- One login role and one schema per service (as the local launcher makes them): each
-- service owns its schema and has no privilege on another's. The passwords are for a
-- local Docker machine only; in production each DSN comes from a Secret.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
DO $$
DECLARE service text;
BEGIN
  FOREACH service IN ARRAY ARRAY['identity', 'catalog', 'dossier', 'payment', 'notify', 'gateway']
  LOOP
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', 'motcua_' || service, 'motcua_' || service);
    EXECUTE format('GRANT CONNECT, CREATE ON DATABASE motcua TO %I', 'motcua_' || service);
    EXECUTE format('CREATE SCHEMA %I AUTHORIZATION %I', service, 'motcua_' || service);
  END LOOP;
END $$;
