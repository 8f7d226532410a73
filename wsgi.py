"""Entry point: `flask --app wsgi run`, or any WSGI server pointed at `wsgi:app`."""
from core import create_app
from core.extensions import socketio

app = create_app()

if __name__ == "__main__":
    socketio.run(app)
