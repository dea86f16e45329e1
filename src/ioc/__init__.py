"""Intelligent Operations Center for Vietnamese provinces and cities."""
