# Kept free of newer syntax so that an old interpreter reaches the version check and says why.
import sys

if sys.version_info < (3, 9):
    sys.stderr.write('neumann_lens: Python %d.%d at %s is too old; the PyTorch bridge needs Python >= 3.9 with torch >= 1.13. '
                     'Choose another interpreter.\n' % (sys.version_info[0], sys.version_info[1], sys.executable))
    sys.exit(3)  # BRIDGE_EXIT_CODES.noTorch: this interpreter cannot run the bridge

from .cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
