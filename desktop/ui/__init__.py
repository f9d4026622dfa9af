"""The Qt window. It shows and edits what desktop.core holds; it holds no data of its own."""
