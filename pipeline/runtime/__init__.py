"""Beam composites that only wire, the runner, and the one owner of per-process resources and the stop flag."""
