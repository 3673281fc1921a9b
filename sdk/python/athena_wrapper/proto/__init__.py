"""Generated protocol code (scripts/gen-proto.sh); do not edit."""
