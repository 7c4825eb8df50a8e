-- Prefect keeps its own tables in a database of its own on the same server.
CREATE DATABASE prefect OWNER certflow;
