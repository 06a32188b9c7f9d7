"""Small helpers shared by the course notebooks.

Each helper is first written out in the open in the lesson that teaches it; later
lessons import it from here so that they can focus on their own topic.

Index
=====

As d2l indexes its library by chapter: which lesson teaches each module, and which
lessons import it (``python -m pytest tests/test_course_utils_index.py`` checks both
against the lessons' code, so the index cannot drift). Lessons are numbered as in
notebooks/; "-" means none.

The lessons' library
--------------------
What the lessons teach, in the form they teach it: read these next to the lesson.

=====================  ======  ==================  ==========================================
module                 taught  imported by         what it holds
=====================  ======  ==================  ==========================================
device_timing          00      00, 04              one epoch timed per device: CPU against GPU
gradient_check         01      01, 02              numerical gradients by central differences
mlp                    01      01                  a NumPy MLP with backpropagation and SGD
convolution            02      02, 03, 07          convolution forward and backward, im2col
receptive_field        02      02                  receptive fields of a stack of layers
activations            03      03                  activation functions and their derivatives
pooling                03      03                  max and average pooling
normalization          03      -                   dropout and batch normalisation by hand
mnist_cnn              04      00, 04, 06          lesson 04's MNIST networks and recipe
epoch_timer            04      04, 05              a callback timing every epoch
time_to_accuracy       04      04                  a callback timing training to a test accuracy
architectures          05      05                  LeNet-5 to DenseNet as Keras builders
parameter_counts       05      05                  parameters and multiply-adds by formula
weight_gradients       05      05                  gradient norms per convolution kernel
ilsvrc                 05      05                  the ImageNet challenge's results, as data
image_datasets         05      05                  CIFAR-10, or Fashion-MNIST when it cannot be had
input_gradients        06      06                  d loss / d input on TensorFlow and JAX
adversarial            06      06                  FGSM, targeted attacks, fooling images
saved_cnn              06      06                  saving lesson 04's network, loading it in 06
unet                   07      07                  the U-Net builder
unet_figure            07      07                  the U-Net drawn after the paper's figure
weight_map             07      07                  the U-Net paper's pixel-wise loss weights
segmentation_metrics   07      07                  pixel accuracy, IoU, Dice, separated objects
synthetic_cells        07      07                  touching synthetic cells with their masks
pet_segmentation       07      07                  Oxford-IIIT Pet photos and masks
=====================  ======  ==================  ==========================================

Infrastructure
--------------
How the lessons run, check answers, draw, and reach students and instructors: no lesson
teaches these; read them to change how the course works.

=====================  ======  ==================  ==========================================
module                 taught  imported by         what it holds
=====================  ======  ==================  ==========================================
mode                   -       all                 fast or full mode (CNN_COURSE_FAST), by_mode
seed                   -       all                 seeding, so that a run repeats
env                    -       all                 the environment report; GPU memory growth
exercises              -       all                 exercises that check themselves, with hints
figures                -       01-07               the figure style and compact PNGs
widgets                -       01, 02, 06          sliders with a static fallback
versions               -       -                   the tested version ranges (for env)
repository             -       -                   the GitHub repository and Colab links
notebook_metadata      -       -                   the metadata Colab reads from a lesson
numpy_initialization   -       05                  NumPy-drawn initial weights (fast on JAX)
jax_max_pool           -       03-07               max-pooling's gradient, faster on JAX's CPU
batch_padding          -       -                   batches padded to few compiled sizes
pixels                 -       -                   8-bit pixels to floats in [0, 1]
validation             -       -                   the whole-number check of arguments
assign                 -       -                   weekly student bundles for instructors
grade                  -       -                   grading a week's submissions
=====================  ======  ==================  ==========================================
"""

__version__ = "0.1.0"
