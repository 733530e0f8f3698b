"""Official forms mapped to the fact dictionary (data in this folder), and the worksheets made
from them."""
