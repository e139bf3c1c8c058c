"""E-mail (DESIGN 10): SMTP settings from the environment, the transport, and message building.

Standard library only (smtplib, email). Never imports the store or the renderers.
"""
