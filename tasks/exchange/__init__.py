"""What leaves the system as a file or a message: the cases' documents as PDFs, rosters and results as workbooks,
a case's electronic archive, webhook deliveries."""
