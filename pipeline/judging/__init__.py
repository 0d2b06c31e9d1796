"""Claim -> Judgement -> Alert: novelty, the commit of an article, alerts, their rendering and delivery."""
