"""What people in Vietnam read: local time, đồng, Vietnamese text, printable papers."""
