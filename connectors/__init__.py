"""The edges: adapters that implement pipeline.ports over the network, the disk and the host."""
