#!/usr/bin/python3
# The lecture's "Example of Cancer Data" cell, as the reference for
# bench/breast_cancer.sh (the lecture imports matplotlib too; it is left out
# when Debian's python3-matplotlib is not installed).
try:
    import matplotlib.pyplot as plt  # noqa: F401
except ImportError:
    pass
import warnings

import numpy as np  # noqa: F401
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")
cancer = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(cancer.data, cancer.target, random_state=0)
logreg = LogisticRegression()
logreg.fit(X_train, y_train)
print("Train set accuracy from Logistic Regression: {:.2f}".format(logreg.score(X_train, y_train)))
scaler = StandardScaler()
scaler.fit(X_train)
X_train_scaled = scaler.transform(X_train)
X_test_scaled = scaler.transform(X_test)
logreg.fit(X_train_scaled, y_train)
print("Train set accuracy scaled data: {:.2f}".format(logreg.score(X_train_scaled, y_train)))
pca = PCA(n_components=2)
X2D_train = pca.fit_transform(X_train_scaled)
logreg.fit(X2D_train, y_train)
print("Train set accuracy scaled and PCA data: {:.2f}".format(logreg.score(X2D_train, y_train)))
