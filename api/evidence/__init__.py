"""Evidence files uploaded to a case (a survivor's photos and papers, an advocate's scans)."""
