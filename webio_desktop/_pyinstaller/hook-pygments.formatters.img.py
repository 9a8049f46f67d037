"""pygments' image formatter imports Pillow (and Pillow NumPy); webio_desktop only makes HTML.
An app that imports PIL itself still gets it: this drops only pygments' import."""
excludedimports = ["PIL", "numpy"]
