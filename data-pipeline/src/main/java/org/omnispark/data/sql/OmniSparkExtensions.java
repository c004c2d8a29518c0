package org.omnispark.data.sql;

import java.io.Serializable;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * OmniSpark's SQL functions ({@link OmniSparkFunctions}) through Spark's extension mechanism, the way Delta Lake
 * and Sedona add theirs: with
 *
 * <pre>
 *   spark.sql.extensions=org.omnispark.data.sql.OmniSparkExtensions
 * </pre>
 *
 * in a session's config (spark-submit {@code --conf}, {@code spark-defaults.conf}, a notebook's session builder),
 * every session has {@code omnispark_fbank}, {@code omnispark_fbank_with}, {@code omnispark_audio_duration},
 * {@code omnispark_audio_error} and {@code omnispark_normalize_text}, in SQL, PySpark and Scala alike, with no JVM
 * call. Each is a Spark UDF expression over the same Java implementation.
 */
public final class OmniSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        for (OmniSparkFunctions.Function f : OmniSparkFunctions.functions()) {
            ExpressionInfo info = new ExpressionInfo(OmniSparkFunctions.class.getName(), null, f.name(),
                    "_FUNC_(" + f.arguments() + ") - see org.omnispark.data.sql.OmniSparkFunctions", "", "", "",
                    "misc_funcs", "", "", "built-in");
            extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(f.name()), info,
                    new Builder(f.name(), f.arguments(), f.arity(), scalaFunction(f), f.resultType())));
        }
        return BoxedUnit.UNIT;
    }

    @SuppressWarnings("unchecked")
    private static Object scalaFunction(OmniSparkFunctions.Function f) {
        if (f.udf() instanceof UDF2<?, ?, ?> u) {
            return new Call2((UDF2<Object, Object, Object>) u);
        }
        return new Call1((UDF1<Object, Object>) f.udf());
    }

    /** Builds the function's expression from its arguments. */
    private static final class Builder extends AbstractFunction1<Seq<Expression>, Expression>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final String arguments;
        private final int arity;
        private final Object function;
        private final org.apache.spark.sql.types.DataType type;

        Builder(String name, String arguments, int arity, Object function, org.apache.spark.sql.types.DataType type) {
            this.name = name;
            this.arguments = arguments;
            this.arity = arity;
            this.function = function;
            this.type = type;
        }

        @Override
        public Expression apply(Seq<Expression> children) {
            if (children.size() != arity) {
                throw new IllegalArgumentException(name + " takes " + arity + " argument" + (arity == 1 ? "" : "s")
                        + " (" + arguments + "), got " + children.size());
            }
            return new ScalaUDF(function, type, children, scala.collection.immutable.List$.MODULE$.empty(),
                    Option.empty(), Option.apply(name), true, true);
        }
    }

    /** A one-argument Java UDF as the Scala function ScalaUDF calls. */
    private static final class Call1 extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final UDF1<Object, Object> udf;

        Call1(UDF1<Object, Object> udf) {
            this.udf = udf;
        }

        @Override
        public Object apply(Object a) {
            try {
                return udf.call(a);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A two-argument Java UDF as the Scala function ScalaUDF calls. */
    private static final class Call2 extends AbstractFunction2<Object, Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final UDF2<Object, Object, Object> udf;

        Call2(UDF2<Object, Object, Object> udf) {
            this.udf = udf;
        }

        @Override
        public Object apply(Object a, Object b) {
            try {
                return udf.call(a, b);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
