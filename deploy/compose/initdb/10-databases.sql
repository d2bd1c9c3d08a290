-- The first start of the postgres container (an empty volume) runs this as POSTGRES_USER:
-- one database per service, owned by that user. `migrate` builds their tables.
CREATE DATABASE capacity;
CREATE DATABASE foster_care;
CREATE DATABASE family_counselling;
CREATE DATABASE reporting_gateway;
